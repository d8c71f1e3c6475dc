// The partition's DuckDB file: schema at open, then one transaction per batch with its watermark.
import { readFileSync } from 'node:fs';
import {
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBTimestampTZValue,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import { structToJson, timestampToMicros } from '../common/values.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');
// DuckDB's vector size: the most rows one data chunk holds.
const CHUNK_ROWS = 2048;

/** The events of one JetStream message, with its stream sequence and the time the stream accepted it. */
export interface StoredMessage {
  seq: number;
  ingestMicros: bigint;
  events: Event__Output[];
}

export type Row = DuckDBValue[];
type TableName = 'runs' | 'logs' | 'run_status' | 'task_status' | 'steps' | 'run_extents';
const TABLES: TableName[] = ['runs', 'logs', 'run_status', 'task_status', 'steps', 'run_extents'];

export class PartitionStore {
  private constructor(
    readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private watermarkSeq: number,
  ) {}

  static async open(path: string): Promise<PartitionStore> {
    const instance = await DuckDBInstance.create(path);
    const writer = await instance.connect();
    await writer.run(SCHEMA_SQL);
    const reader = await writer.runAndReadAll('SELECT coalesce(max(seq), 0) FROM applied');
    return new PartitionStore(instance, writer, Number(reader.getRows()[0][0]));
  }

  /** Highest stream sequence stored; every message at or below it is in the tables. */
  get watermark(): number {
    return this.watermarkSeq;
  }

  /** A connection for readers; DuckDB gives each its own snapshot. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /**
   * Stores the messages above the watermark, all or nothing, and raises the watermark in the
   * same transaction. Returns how many events were written (0 when all were already stored).
   */
  async applyBatch(messages: readonly StoredMessage[]): Promise<number> {
    const fresh = messages.filter((message) => message.seq > this.watermarkSeq);
    if (fresh.length === 0) return 0;
    const rows = toRows(fresh);
    const highest = fresh[fresh.length - 1].seq;
    const eventCount = fresh.reduce((sum, message) => sum + message.events.length, 0);
    await this.writer.run('BEGIN TRANSACTION');
    try {
      for (const table of TABLES) if (rows[table].length > 0) await appendRows(this.writer, table, rows[table]);
      await this.writer.run('INSERT INTO applied VALUES ($1, $2, now())', [BigInt(highest), eventCount]);
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.watermarkSeq = highest;
    return eventCount;
  }

  close(): void {
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

/** Bulk-appends rows (values in the table's column order) on the connection, inside its current transaction. */
export async function appendRows(connection: DuckDBConnection, table: string, rows: readonly Row[]): Promise<void> {
  const appender = await connection.createAppender(table);
  try {
    const types: DuckDBType[] = Array.from({ length: appender.columnCount }, (_, column) => appender.columnType(column));
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) appendChunk(appender, types, rows.slice(start, start + CHUNK_ROWS));
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function appendChunk(appender: DuckDBAppender, types: DuckDBType[], rows: readonly Row[]): void {
  const columns: DuckDBValue[][] = types.map(() => new Array<DuckDBValue>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < types.length; c++) columns[c][r] = row[c];
  }
  const chunk = DuckDBDataChunk.create(types, rows.length);
  chunk.setColumns(columns);
  appender.appendDataChunk(chunk);
}

const tz = (micros: bigint) => new DuckDBTimestampTZValue(micros);
const list = (values: string[]) => new DuckDBListValue(values);
// Most records carry no attributes: one shared empty map instead of one object per row.
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

/** Spreads events over the five tables, in the column order of schema.sql. */
function toRows(messages: readonly StoredMessage[]): Record<TableName, Row[]> {
  const rows: Record<TableName, Row[]> = { runs: [], logs: [], run_status: [], task_status: [], steps: [], run_extents: [] };
  const extents = new Map<string, Row>();
  for (const message of messages) {
    const seq = BigInt(message.seq);
    const ingest = tz(message.ingestMicros);
    const timeOr = (micros: bigint | null) => (micros === null ? ingest : tz(micros));
    message.events.forEach((event, idx) => {
      const head: Row = [seq, idx, event.workflowId, event.runId];
      trackExtent(extents, event.workflowId, event.runId, seq);
      switch (event.kind) {
        case 'runStarted': {
          const e = event.runStarted!;
          const forked = e.parentRunId !== '';
          rows.runs.push([...head, e.workflowName, map(e.tags), json(structToJson(e.parameters)), json(structToJson(e.config)),
            e.dagHash, list(e.nodeIds), forked ? e.parentRunId : null, forked ? BigInt(e.forkStep) : null, timeOr(timestampToMicros(e.time)), ingest]);
          return;
        }
        case 'log': {
          const e = event.log!;
          // The hot path: one array per row, no spread of `head`.
          rows.logs.push([seq, idx, event.workflowId, event.runId, e.taskName, e.taskInstanceId, timeOr(timestampToMicros(e.time)), shortName(e.level), e.message,
            map(e.attributes), e.traceId, e.spanId, ingest]);
          return;
        }
        case 'runStatus': {
          const e = event.runStatus!;
          rows.run_status.push([...head, shortName(e.status), timeOr(timestampToMicros(e.time)), e.reason, ingest]);
          return;
        }
        case 'taskStatus': {
          const e = event.taskStatus!;
          rows.task_status.push([...head, e.taskName, e.taskInstanceId, e.attempt, shortName(e.status), timeOr(timestampToMicros(e.time)), e.reason, ingest]);
          return;
        }
        case 'step': {
          const e = event.step!;
          rows.steps.push([...head, BigInt(e.step), e.nodeId, e.stateJson === '' ? 'null' : e.stateJson, e.awaitingInput, list(e.nextNodeIds),
            list(e.processedNodeIds), list(e.waitingNodeIds), timeOr(timestampToMicros(e.time)), ingest]);
          return;
        }
      }
    });
  }
  rows.run_extents = [...extents.values()];
  return rows;
}

/** Widens the run's extent row of this batch to include seq (columns as in schema.sql). */
function trackExtent(extents: Map<string, Row>, workflowId: string, runId: string, seq: bigint): void {
  const key = `${workflowId}\u0000${runId}`;
  const extent = extents.get(key);
  if (!extent) {
    extents.set(key, [workflowId, runId, seq, seq, 1]);
    return;
  }
  extent[3] = seq;
  extent[4] = (extent[4] as number) + 1;
}
