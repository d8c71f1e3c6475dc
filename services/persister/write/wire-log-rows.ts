// Appends log events straight from an EventBatch's wire bytes to the logs table's columns (the scan is common/wire/log-event-scan.ts).
import { LEVEL_BY_NUMBER, storedLevel } from '../../common/enums.js';
import { FIELD, LogEventScanner } from '../../common/wire/log-event-scan.js';
import type { StringColumn } from './columns.js';
import type { LogColumns } from './log-columns.js';
import type { Ids, RunIds } from './run-ids.js';

/** Stored level names by LogLevel's wire number, as bytes for the level column. */
const LEVEL_BYTES = LEVEL_BY_NUMBER.map((level) => Buffer.from(storedLevel(level)));

export class WireLogRows {
  private readonly scanner = new LogEventScanner();

  constructor(private readonly runIds: RunIds) {}

  /**
   * Appends the event at [start, end) of `bytes` to the log columns when it is a log record the
   * scanner takes, and answers its run's ids; null (and nothing appended) otherwise.
   */
  append(bytes: Uint8Array, start: number, end: number, columns: LogColumns, seq: number, idx: number, ingestMicros: number): Ids | null {
    const scanner = this.scanner;
    if (!scanner.scan(bytes, start, end)) return null;
    const push = (column: StringColumn, at: number) => column.push(bytes, scanner.fields[at], scanner.fields[at + 1] - scanner.fields[at]);
    columns.seq.push(seq);
    columns.idx.push(idx);
    push(columns.workflowId, FIELD.workflowId);
    push(columns.runId, FIELD.runId);
    push(columns.taskName, FIELD.taskName);
    push(columns.taskInstanceId, FIELD.taskInstanceId);
    columns.time.push(scanner.hasTime ? scanner.seconds * 1_000_000 + Math.floor(scanner.nanos / 1000) : ingestMicros);
    const level = LEVEL_BYTES[scanner.level];
    columns.level.push(level, 0, level.length);
    push(columns.message, FIELD.message);
    columns.attributes.pushRow();
    push(columns.traceId, FIELD.traceId);
    push(columns.spanId, FIELD.spanId);
    columns.ingestTime.push(ingestMicros);
    const { fields } = scanner;
    return this.runIds.ofBytes(bytes, fields[FIELD.workflowId], fields[FIELD.workflowId + 1], fields[FIELD.runId], fields[FIELD.runId + 1]);
  }
}
