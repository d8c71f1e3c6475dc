// One batch's messages spread over the tables: logs as columns (mostly read straight from the wire), the rest as rows.
import { DuckDBListValue, DuckDBMapValue, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { TableLayout, type Row } from '../schema.js';
import type { Event__Output } from '../../common/gen/runlog/v1/Event.js';
import type { EventBatchCodec } from '../../common/proto.js';
import { structToJson, timestampToMicros } from '../../common/values.js';
import type { LogColumns } from './log-columns.js';
import type { Ids, RunIds } from './run-ids.js';
import type { WireLogRows } from './wire-log-rows.js';
import { storedLevel, storedStatus } from '../../common/enums.js';

/** The events of one JetStream message, with its stream sequence and the time the stream accepted it. */
export interface StoredMessage {
  seq: number;
  ingestMicros: bigint;
  events: Event__Output[];
  /** The W3C traceparent the publisher put on the message, if any: the batch that stores it joins that trace. */
  traceparent?: string;
}

/** A message as the stream holds it: an EventBatch, and its events' [start, end) offsets (see consume.ts). */
export interface WireMessage {
  seq: number;
  ingestMicros: bigint;
  data: Uint8Array;
  slices: Int32Array;
  /** As StoredMessage's. */
  traceparent?: string;
}

/** The tables other than logs, in the order they are appended. */
export type RowTable = 'runs' | 'run_status' | 'task_status' | 'steps' | 'run_extents';
export const ROW_TABLES: RowTable[] = ['runs', 'run_status', 'task_status', 'steps', 'run_extents'];
// The tables an event's row goes to (run_extents' rows are made from the batch's extents).
const ROWS_BY_EVENT = ['runs', 'run_status', 'task_status', 'steps'] as const;

const tz = (micros: bigint) => new DuckDBTimestampTZValue(micros);
const list = (values: string[]) => new DuckDBListValue(values);
// Most events carry no tags: one shared empty map instead of one object per row.
const EMPTY_MAP = new DuckDBMapValue([]);
const map = (record: Record<string, string>) => {
  const entries = Object.entries(record);
  return entries.length === 0 ? EMPTY_MAP : new DuckDBMapValue(entries.map(([key, value]) => ({ key, value })));
};
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const POSITION = ['seq', 'idx', 'workflow_id', 'run_id'] as const;
const TIMES = ['time', 'ingest_time'] as const;
export const LAYOUTS = {
  runs: TableLayout.of('runs', [...POSITION, 'workflow_name', 'tags', 'parameters', 'config', 'dag_hash', 'node_ids', 'parent_run_id', 'fork_step', ...TIMES]),
  run_status: TableLayout.of('run_status', [...POSITION, 'status', 'reason', ...TIMES]),
  task_status: TableLayout.of('task_status', [...POSITION, 'task_name', 'task_instance_id', 'attempt', 'status', 'reason', ...TIMES]),
  steps: TableLayout.of('steps', [...POSITION, 'step', 'node_id', 'state', 'awaiting_input', 'next_node_ids', 'processed_node_ids', 'waiting_node_ids', ...TIMES]),
  run_extents: TableLayout.of('run_extents', ['workflow_id', 'run_id', 'first_seq', 'last_seq', 'events']),
};

/** Where a run's events of one batch lie in the stream. */
export interface BatchExtent {
  ids: Ids;
  firstSeq: number;
  lastSeq: number;
  events: number;
}

/** What decodes every batch's messages, made once per store: the codec, the log scan and the run ids they share. */
export interface BatchDecoders {
  codec: EventBatchCodec;
  wireLogs: WireLogRows;
  runIds: RunIds;
}

export class BatchRows {
  private readonly rows: Record<Exclude<RowTable, 'run_extents'>, Row[]> = { runs: [], run_status: [], task_status: [], steps: [] };
  private readonly extentsByRun = new Map<Ids, BatchExtent>();
  /** Events stored (undecodable messages count none). */
  events = 0;
  // The current message's runs of consecutive events with the same ids, merged into extents when it is complete.
  private pending: { ids: Ids; events: number }[] = [];

  /** `logs` is emptied and filled: one set of column buffers serves every batch, grown once, not each time. */
  constructor(
    private readonly decoders: BatchDecoders,
    readonly logs: LogColumns,
  ) {
    logs.truncate(0);
    decoders.runIds.trim();
  }

  /**
   * Adds the message's events; a message whose bytes cannot be decoded adds nothing and is
   * reported (only ingest publishes here: anything else must not stall the partition).
   */
  add(message: StoredMessage | WireMessage, onUndecodable: (seq: number, error: unknown) => void): void {
    const logs = this.logs.length;
    const lengths = ROWS_BY_EVENT.map((table) => this.rows[table].length);
    this.pending = [];
    try {
      const count = 'events' in message ? this.addDecoded(message, message.events) : this.addWire(message, message.data, message.slices);
      this.events += count;
      for (const { ids, events } of this.pending) this.widenExtent(ids, message.seq, events);
    } catch (error) {
      this.logs.truncate(logs);
      ROWS_BY_EVENT.forEach((table, i) => (this.rows[table].length = lengths[i]));
      // Events handed over decoded come from this process: a failure there is a bug, not bad input.
      if ('events' in message) throw error;
      onUndecodable(message.seq, error);
    }
  }

  /** Rows of a table other than logs. */
  rowsOf(table: RowTable): Row[] {
    if (table !== 'run_extents') return this.rows[table];
    return this.extents().map(({ ids, firstSeq, lastSeq, events }) =>
      LAYOUTS.run_extents.row({ workflow_id: ids.workflowId, run_id: ids.runId, first_seq: BigInt(firstSeq), last_seq: BigInt(lastSeq), events }),
    );
  }

  /** Where each run's events of the batch lie. */
  extents(): BatchExtent[] {
    return [...this.extentsByRun.values()];
  }

  private addWire(message: WireMessage, data: Uint8Array, slices: Int32Array): number {
    const ingestMicros = Number(message.ingestMicros);
    for (let idx = 0; idx < slices.length / 2; idx++) {
      const start = slices[2 * idx];
      const end = slices[2 * idx + 1];
      const ids = this.decoders.wireLogs.append(data, start, end, this.logs, message.seq, idx, ingestMicros);
      if (ids) this.count(ids);
      else this.addEvent(message, idx, this.decoders.codec.decodeEvent(data.subarray(start, end)));
    }
    return slices.length / 2;
  }

  private addDecoded(message: StoredMessage, events: Event__Output[]): number {
    events.forEach((event, idx) => this.addEvent(message, idx, event));
    return events.length;
  }

  /** Counts an event of the run (ids from RunIds: one object per run). */
  private count(ids: Ids): void {
    const last = this.pending[this.pending.length - 1];
    if (last?.ids === ids) last.events++;
    else this.pending.push({ ids, events: 1 });
  }

  /** Widens the run's extent of this batch to include seq. */
  private widenExtent(ids: Ids, seq: number, events: number): void {
    const extent = this.extentsByRun.get(ids);
    if (!extent) {
      this.extentsByRun.set(ids, { ids, firstSeq: seq, lastSeq: seq, events });
      return;
    }
    extent.lastSeq = seq;
    extent.events += events;
  }

  /** One decoded event into its table. */
  private addEvent(message: StoredMessage | WireMessage, idx: number, event: Event__Output): void {
    this.count(this.decoders.runIds.of(event.workflowId, event.runId));
    const ingest_time = tz(message.ingestMicros);
    const timeOr = (micros: bigint | null) => (micros === null ? ingest_time : tz(micros));
    const position = { seq: BigInt(message.seq), idx, workflow_id: event.workflowId, run_id: event.runId };
    switch (event.kind) {
      case 'runStarted': {
        const e = event.runStarted!;
        const forked = e.parentRunId !== '';
        this.rows.runs.push(LAYOUTS.runs.row({
          ...position, workflow_name: e.workflowName, tags: map(e.tags), parameters: json(structToJson(e.parameters)), config: json(structToJson(e.config)),
          dag_hash: e.dagHash, node_ids: list(e.nodeIds), parent_run_id: forked ? e.parentRunId : null, fork_step: forked ? BigInt(e.forkStep) : null,
          time: timeOr(timestampToMicros(e.time)), ingest_time,
        }));
        return;
      }
      case 'log': {
        const e = event.log!;
        this.logs.push(message.seq, idx, event.workflowId, event.runId, e, storedLevel(e.level), timestampToMicros(e.time), Number(message.ingestMicros));
        return;
      }
      case 'runStatus': {
        const e = event.runStatus!;
        this.rows.run_status.push(LAYOUTS.run_status.row({ ...position, status: storedStatus(e.status), time: timeOr(timestampToMicros(e.time)), reason: e.reason, ingest_time }));
        return;
      }
      case 'taskStatus': {
        const e = event.taskStatus!;
        this.rows.task_status.push(LAYOUTS.task_status.row({
          ...position, task_name: e.taskName, task_instance_id: e.taskInstanceId, attempt: e.attempt, status: storedStatus(e.status),
          time: timeOr(timestampToMicros(e.time)), reason: e.reason, ingest_time,
        }));
        return;
      }
      case 'step': {
        const e = event.step!;
        this.rows.steps.push(LAYOUTS.steps.row({
          ...position, step: BigInt(e.step), node_id: e.nodeId, state: e.stateJson === '' ? 'null' : e.stateJson, awaiting_input: e.awaitingInput,
          next_node_ids: list(e.nextNodeIds), processed_node_ids: list(e.processedNodeIds), waiting_node_ids: list(e.waitingNodeIds),
          time: timeOr(timestampToMicros(e.time)), ingest_time,
        }));
        return;
      }
    }
  }
}
