// The logs table of one batch, column by column (in schema.sql's order), appended to DuckDB in whole data chunks.
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import type { LogRecord__Output } from '../../common/gen/runlog/v1/LogRecord.js';
import { CHUNK_ROWS, Int64Column, StringColumn, StringMapColumn, Uint32Column } from './columns.js';
import { TableLayout } from '../schema.js';

const LOGS = TableLayout.of('logs', [
  'seq', 'idx', 'workflow_id', 'run_id', 'task_name', 'task_instance_id', 'time', 'level', 'message', 'attributes', 'trace_id', 'span_id', 'ingest_time',
]);

export class LogColumns {
  readonly seq = new Int64Column();
  readonly idx = new Uint32Column();
  readonly workflowId = new StringColumn();
  readonly runId = new StringColumn();
  readonly taskName = new StringColumn();
  readonly taskInstanceId = new StringColumn();
  readonly time = new Int64Column();
  readonly level = new StringColumn();
  readonly message = new StringColumn();
  readonly attributes = new StringMapColumn();
  readonly traceId = new StringColumn();
  readonly spanId = new StringColumn();
  readonly ingestTime = new Int64Column();
  private get byColumn() {
    return {
      seq: this.seq, idx: this.idx, workflow_id: this.workflowId, run_id: this.runId, task_name: this.taskName, task_instance_id: this.taskInstanceId,
      time: this.time, level: this.level, message: this.message, attributes: this.attributes, trace_id: this.traceId, span_id: this.spanId, ingest_time: this.ingestTime,
    };
  }
  /** The buffers in the table's column order. */
  private readonly columns = LOGS.columns.map((column) => this.byColumn[column]);

  get length(): number {
    return this.seq.length;
  }

  /** Drops the rows from `length` on (a message that turned out undecodable). */
  truncate(length: number): void {
    for (const column of this.columns) column.truncate(length);
  }

  /** A log event decoded by protobufjs (see wire-log-rows.ts for the usual way in). */
  push(seq: number, idx: number, workflowId: string, runId: string, log: LogRecord__Output, level: string, timeMicros: bigint | null, ingestMicros: number): void {
    this.seq.push(seq);
    this.idx.push(idx);
    this.workflowId.pushString(workflowId);
    this.runId.pushString(runId);
    this.taskName.pushString(log.taskName);
    this.taskInstanceId.pushString(log.taskInstanceId);
    if (timeMicros === null) this.time.push(ingestMicros);
    else this.time.pushBigInt(timeMicros);
    this.level.pushString(level);
    this.message.pushString(log.message);
    this.attributes.pushRow();
    for (const [key, value] of Object.entries(log.attributes)) this.attributes.entry(key, value);
    this.traceId.pushString(log.traceId);
    this.spanId.pushString(log.spanId);
    this.ingestTime.push(ingestMicros);
  }

  /** Appends the rows to `logs` on the connection, inside its current transaction. */
  async append(connection: DuckDBConnection): Promise<void> {
    if (this.length === 0) return;
    const appender = await connection.createAppender('logs');
    try {
      if (appender.columnCount !== this.columns.length) throw new Error(`logs has ${appender.columnCount} columns, the writer knows ${this.columns.length}`);
      const types = Array.from({ length: appender.columnCount }, (_, column) => appender.columnType(column));
      for (let from = 0; from < this.length; from += CHUNK_ROWS) {
        const count = Math.min(CHUNK_ROWS, this.length - from);
        const chunk = DuckDBDataChunk.create(types, count);
        this.columns.forEach((column, index) => column.write(duckdb.data_chunk_get_vector(chunk.chunk, index), from, count));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
}
