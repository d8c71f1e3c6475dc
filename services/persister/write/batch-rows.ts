// One batch's messages spread over the tables: logs as columns (mostly read straight from the wire), the rest as rows.
import { DuckDBListValue, DuckDBMapValue, DuckDBTimestampTZValue, type DuckDBValue } from '@duckdb/node-api';
import type { Event__Output } from '../../common/gen/runlog/v1/Event.js';
import type { EventBatchCodec } from '../../common/proto.js';
import { structToJson, timestampToMicros } from '../../common/values.js';
import type { LogColumns } from './log-columns.js';
import { appendWireLog, internIds, lastIds, trimIds, type Ids } from './wire-log-rows.js';

/** The events of one JetStream message, with its stream sequence and the time the stream accepted it. */
export interface StoredMessage {
  seq: number;
  ingestMicros: bigint;
  events: Event__Output[];
}

/** A message as the stream holds it: an EventBatch, and its events' [start, end) offsets (see eventSlices). */
export interface WireMessage {
  seq: number;
  ingestMicros: bigint;
  data: Uint8Array;
  slices: Int32Array;
}

export type Row = DuckDBValue[];
/** The tables other than logs, in the order they are appended. */
export type RowTable = 'runs' | 'run_status' | 'task_status' | 'steps' | 'run_extents';
export const ROW_TABLES: RowTable[] = ['runs', 'run_status', 'task_status', 'steps', 'run_extents'];

const tz = (micros: bigint) => new DuckDBTimestampTZValue(micros);
const list = (values: string[]) => new DuckDBListValue(values);
// Most events carry no tags: one shared empty map instead of one object per row.
const EMPTY_MAP = new DuckDBMapValue([]);
const map = (record: Record<string, string>) => {
  const entries = Object.entries(record);
  return entries.length === 0 ? EMPTY_MAP : new DuckDBMapValue(entries.map(([key, value]) => ({ key, value })));
};
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
// A handful of enum names, looked up for every row: remembered rather than matched each time.
const shortNames = new Map<string, string>();
const shortName = (enumName: string) => {
  let short = shortNames.get(enumName);
  if (short === undefined) shortNames.set(enumName, (short = enumName.replace(/^(LOG_LEVEL|STATUS)_/, '')));
  return short;
};

export class BatchRows {
  private readonly rows: Record<RowTable, Row[]> = { runs: [], run_status: [], task_status: [], steps: [], run_extents: [] };
  private readonly extents = new Map<Ids, Row>();
  /** Events stored (undecodable messages count none). */
  events = 0;
  // The current message's runs of consecutive events with the same ids, merged into extents when it is complete.
  private pending: { ids: Ids; events: number }[] = [];

  /** `logs` is emptied and filled: one set of column buffers serves every batch, grown once, not each time. */
  constructor(
    private readonly codec: EventBatchCodec,
    readonly logs: LogColumns,
  ) {
    logs.truncate(0);
    trimIds();
  }

  /**
   * Adds the message's events; a message whose bytes cannot be decoded adds nothing and is
   * reported (only ingest publishes here: anything else must not stall the partition).
   */
  add(message: StoredMessage | WireMessage, onUndecodable: (seq: number, error: unknown) => void): void {
    const logs = this.logs.length;
    const lengths = ROW_TABLES.map((table) => this.rows[table].length);
    this.pending = [];
    try {
      const count = 'events' in message ? this.addDecoded(message, message.events) : this.addWire(message, message.data, message.slices);
      this.events += count;
      for (const { ids, events } of this.pending) this.widenExtent(ids, BigInt(message.seq), events);
    } catch (error) {
      this.logs.truncate(logs);
      ROW_TABLES.forEach((table, i) => (this.rows[table].length = lengths[i]));
      // Events handed over decoded come from this process: a failure there is a bug, not bad input.
      if ('events' in message) throw error;
      onUndecodable(message.seq, error);
    }
  }

  /** Rows of a table other than logs. */
  rowsOf(table: RowTable): Row[] {
    return table === 'run_extents' ? [...this.extents.values()] : this.rows[table];
  }

  private addWire(message: WireMessage, data: Uint8Array, slices: Int32Array): number {
    const ingestMicros = Number(message.ingestMicros);
    for (let idx = 0; idx < slices.length / 2; idx++) {
      const start = slices[2 * idx];
      const end = slices[2 * idx + 1];
      if (appendWireLog(data, start, end, this.logs, message.seq, idx, ingestMicros)) this.count(lastIds(data));
      else this.addEvent(message, idx, this.codec.decodeEvent(data.subarray(start, end)));
    }
    return slices.length / 2;
  }

  private addDecoded(message: StoredMessage, events: Event__Output[]): number {
    events.forEach((event, idx) => this.addEvent(message, idx, event));
    return events.length;
  }

  /** Counts an event of the run (ids from internIds or lastIds). */
  private count(ids: Ids): void {
    const last = this.pending[this.pending.length - 1];
    if (last?.ids === ids) last.events++;
    else this.pending.push({ ids, events: 1 });
  }

  /** Widens the run's extent row of this batch to include seq (columns as in schema.sql). */
  private widenExtent(ids: Ids, seq: bigint, events: number): void {
    const extent = this.extents.get(ids);
    if (!extent) {
      this.extents.set(ids, [ids.workflowId, ids.runId, seq, seq, events]);
      return;
    }
    extent[3] = seq;
    extent[4] = (extent[4] as number) + events;
  }

  /** One decoded event into its table, in the column order of schema.sql. */
  private addEvent(message: StoredMessage | WireMessage, idx: number, event: Event__Output): void {
    this.count(internIds(event.workflowId, event.runId));
    const seq = BigInt(message.seq);
    const ingest = tz(message.ingestMicros);
    const timeOr = (micros: bigint | null) => (micros === null ? ingest : tz(micros));
    const head: Row = [seq, idx, event.workflowId, event.runId];
    switch (event.kind) {
      case 'runStarted': {
        const e = event.runStarted!;
        const forked = e.parentRunId !== '';
        this.rows.runs.push([...head, e.workflowName, map(e.tags), json(structToJson(e.parameters)), json(structToJson(e.config)),
          e.dagHash, list(e.nodeIds), forked ? e.parentRunId : null, forked ? BigInt(e.forkStep) : null, timeOr(timestampToMicros(e.time)), ingest]);
        return;
      }
      case 'log': {
        const e = event.log!;
        this.logs.push(message.seq, idx, event.workflowId, event.runId, e, shortName(e.level), timestampToMicros(e.time), Number(message.ingestMicros));
        return;
      }
      case 'runStatus': {
        const e = event.runStatus!;
        this.rows.run_status.push([...head, shortName(e.status), timeOr(timestampToMicros(e.time)), e.reason, ingest]);
        return;
      }
      case 'taskStatus': {
        const e = event.taskStatus!;
        this.rows.task_status.push([...head, e.taskName, e.taskInstanceId, e.attempt, shortName(e.status), timeOr(timestampToMicros(e.time)), e.reason, ingest]);
        return;
      }
      case 'step': {
        const e = event.step!;
        this.rows.steps.push([...head, BigInt(e.step), e.nodeId, e.stateJson === '' ? 'null' : e.stateJson, e.awaitingInput, list(e.nextNodeIds),
          list(e.processedNodeIds), list(e.waitingNodeIds), timeOr(timestampToMicros(e.time)), ingest]);
        return;
      }
    }
  }
}
