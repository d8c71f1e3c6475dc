// Appends log events straight from an EventBatch's wire bytes to the logs table's columns (see common/wire-log.ts).
import { FIELD, repeatedFieldSlices, scanLogEvent, scanned } from '../../common/wire/log-event-scan.js';
import type { StringColumn } from './columns.js';
import type { LogColumns } from './log-columns.js';

// Field number of EventBatch.events.
const BATCH_EVENTS = 1;

/** LogLevel values as stored (schema.sql), as bytes for the level column. */
const LEVEL_BYTES = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((name) => Buffer.from(name));

/** The events of an EventBatch as [start, end) offsets into `bytes`, or null when it is not one as ingest writes it. */
export const eventSlices = (bytes: Uint8Array): Int32Array | null => repeatedFieldSlices(bytes, BATCH_EVENTS);

/**
 * Appends the event at [start, end) of `bytes` to the log columns when it is a log record the
 * scanner takes; false (and nothing appended) otherwise.
 */
export function appendWireLog(bytes: Uint8Array, start: number, end: number, columns: LogColumns, seq: number, idx: number, ingestMicros: number): boolean {
  if (!scanLogEvent(bytes, start, end)) return false;
  columns.seq.push(seq);
  columns.idx.push(idx);
  pushField(columns.workflowId, bytes, FIELD.workflowId);
  pushField(columns.runId, bytes, FIELD.runId);
  pushField(columns.taskName, bytes, FIELD.taskName);
  pushField(columns.taskInstanceId, bytes, FIELD.taskInstanceId);
  columns.time.push(scanned.hasTime ? scanned.seconds * 1_000_000 + Math.floor(scanned.nanos / 1000) : ingestMicros);
  columns.level.push(LEVEL_BYTES[scanned.level], 0, LEVEL_BYTES[scanned.level].length);
  pushField(columns.message, bytes, FIELD.message);
  columns.attributes.pushRow();
  pushField(columns.traceId, bytes, FIELD.traceId);
  pushField(columns.spanId, bytes, FIELD.spanId);
  columns.ingestTime.push(ingestMicros);
  return true;
}

function pushField(column: StringColumn, bytes: Uint8Array, at: number): void {
  column.push(bytes, scanned.fields[at], scanned.fields[at + 1] - scanned.fields[at]);
}

/** A run's ids; one object per distinct pair (see internIds), so they compare by identity. */
export interface Ids {
  workflowId: string;
  runId: string;
}

// Bounded so that a partition seeing endless new runs does not keep them all; cleared between
// batches only (trimIds), so within a batch a pair always maps to the same object.
const MAX_IDS = 100_000;
const idsByText = new Map<string, Ids>();
// The same pairs by a hash of their bytes, to find them without making strings: entries in a chain share a hash.
const idsByHash = new Map<number, { bytes: Uint8Array; workflowLength: number; ids: Ids }[]>();

export function internIds(workflowId: string, runId: string): Ids {
  const key = `${workflowId}\u0000${runId}`;
  let ids = idsByText.get(key);
  if (!ids) idsByText.set(key, (ids = { workflowId, runId }));
  return ids;
}

export function trimIds(): void {
  if (idsByText.size <= MAX_IDS) return;
  idsByText.clear();
  idsByHash.clear();
}

/** Workflow and run id of the log appendWireLog last took from `bytes`. */
export function lastIds(bytes: Uint8Array): Ids {
  const { fields } = scanned;
  const workflowStart = fields[FIELD.workflowId];
  const workflowEnd = fields[FIELD.workflowId + 1];
  const runStart = fields[FIELD.runId];
  const runEnd = fields[FIELD.runId + 1];
  const workflowLength = workflowEnd - workflowStart;
  const length = workflowLength + runEnd - runStart;
  // FNV-1a over both ids, with the length of the first, so that ("ab", "c") and ("a", "bc") differ.
  let hash = Math.imul(0x811c9dc5 ^ workflowLength, 0x01000193);
  for (let i = workflowStart; i < workflowEnd; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  for (let i = runStart; i < runEnd; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  let chain = idsByHash.get(hash);
  if (chain) {
    search: for (const entry of chain) {
      if (entry.workflowLength !== workflowLength || entry.bytes.length !== length) continue;
      for (let i = 0; i < workflowLength; i++) if (entry.bytes[i] !== bytes[workflowStart + i]) continue search;
      for (let i = workflowLength; i < length; i++) if (entry.bytes[i] !== bytes[runStart + i - workflowLength]) continue search;
      return entry.ids;
    }
  } else idsByHash.set(hash, (chain = []));
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids = internIds(buffer.toString('utf8', workflowStart, workflowEnd), buffer.toString('utf8', runStart, runEnd));
  const idBytes = new Uint8Array(length);
  idBytes.set(bytes.subarray(workflowStart, workflowEnd), 0);
  idBytes.set(bytes.subarray(runStart, runEnd), workflowLength);
  chain.push({ bytes: idBytes, workflowLength, ids });
  return ids;
}
