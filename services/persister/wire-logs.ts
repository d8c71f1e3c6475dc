// Reads log events straight from an EventBatch's wire bytes into the logs table's columns, without building event objects.
//
// Decoding every event into objects (protobufjs) and then into rows was about a fifth of the
// persister's CPU and most of its garbage. Log records, nearly all of the traffic, are read here
// field by field; anything this reader does not expect (another kind, attributes, a repeated or
// unknown field, a time outside 1970–2255, bytes that are not UTF-8) is left to protobufjs, so the
// stored rows are the same either way.
import { isUtf8 } from 'node:buffer';
import type { StringColumn } from './columns.js';
import type { LogColumns } from './log-columns.js';

const VARINT = 0;
const LENGTH_DELIMITED = 2;
// Field numbers in proto/runlog/v1/events.proto.
const BATCH_EVENTS = 1;
const EVENT_WORKFLOW_ID = 1;
const EVENT_RUN_ID = 2;
const EVENT_LOG = 11;
const LOG_TASK_NAME = 1;
const LOG_TASK_INSTANCE_ID = 2;
const LOG_TIME = 3;
const LOG_LEVEL = 4;
const LOG_MESSAGE = 5;
const LOG_TRACE_ID = 7;
const LOG_SPAN_ID = 8;
const TIME_SECONDS = 1;
const TIME_NANOS = 2;
// Seconds below which micros stay exact in a double (2^53 µs is in the year 2255).
const MAX_FAST_SECONDS = 9e9;

/** LogLevel values as stored (schema.sql), as bytes for the level column. */
export const LEVEL_NAMES = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const LEVEL_BYTES = LEVEL_NAMES.map((name) => Buffer.from(name));

// The reader's position; set by each call, module-level to keep the hot loop free of allocations.
let pos = 0;

/** A varint of at most 49 bits at `pos`, or -1 when longer (huge or negative values: protobufjs handles those). */
function varint(bytes: Uint8Array, end: number): number {
  let value = 0;
  for (let shift = 1; shift < 2 ** 49; shift *= 128) {
    if (pos >= end) throw new RangeError('varint runs past the message');
    const byte = bytes[pos++];
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return value;
  }
  return -1;
}

/**
 * The events of an EventBatch as [start, end) offsets into `bytes`, or null when the framing is
 * not what ingest writes (only field 1, each within the message).
 */
export function eventSlices(bytes: Uint8Array): Int32Array | null {
  const offsets: number[] = [];
  pos = 0;
  try {
    while (pos < bytes.length) {
      if (varint(bytes, bytes.length) !== ((BATCH_EVENTS << 3) | LENGTH_DELIMITED)) return null;
      const length = varint(bytes, bytes.length);
      if (length < 0 || pos + length > bytes.length) return null;
      offsets.push(pos, pos + length);
      pos += length;
    }
  } catch {
    return null;
  }
  return Int32Array.from(offsets);
}

function utf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return isUtf8(bytes.subarray(start, end));
  return true;
}

// Field positions of the event being read: [start, end) per string field, filled by readLog.
const enum F {
  Workflow = 0,
  Run = 2,
  Task = 4,
  Instance = 6,
  Message = 8,
  Trace = 10,
  Span = 12,
}
const fields = new Int32Array(14);
let timeMicros: number | null = null;
let level = 0;

/** Reads a length-delimited string field at `pos` into fields[at], once only, and UTF-8. */
function stringField(bytes: Uint8Array, end: number, at: F, seen: number, bit: number): number {
  if (seen & bit) return -1;
  const length = varint(bytes, end);
  if (length < 0 || pos + length > end || !utf8(bytes, pos, pos + length)) return -1;
  fields[at] = pos;
  fields[at + 1] = pos + length;
  pos += length;
  return seen | bit;
}

function readTime(bytes: Uint8Array, end: number): boolean {
  let seconds = 0;
  let nanos = 0;
  let seen = 0;
  while (pos < end) {
    const tag = varint(bytes, end);
    if ((tag & 7) !== VARINT || seen & (1 << (tag >>> 3))) return false;
    seen |= 1 << (tag >>> 3);
    const value = varint(bytes, end);
    if (value < 0) return false;
    if (tag >>> 3 === TIME_SECONDS) seconds = value;
    else if (tag >>> 3 === TIME_NANOS) nanos = value;
    else return false;
  }
  if (seconds >= MAX_FAST_SECONDS || nanos >= 2 ** 31) return false;
  timeMicros = seconds * 1_000_000 + Math.floor(nanos / 1000);
  return true;
}

function readLog(bytes: Uint8Array, end: number): boolean {
  let seen = 0;
  while (pos < end) {
    const tag = varint(bytes, end);
    const field = tag >>> 3;
    if (field === LOG_LEVEL && (tag & 7) === VARINT) {
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
      level = varint(bytes, end);
      if (level < 0 || level >= LEVEL_NAMES.length) return false;
      continue;
    }
    if ((tag & 7) !== LENGTH_DELIMITED) return false;
    if (field === LOG_TIME) {
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
      const length = varint(bytes, end);
      if (length < 0 || pos + length > end) return false;
      const timeEnd = pos + length;
      if (!readTime(bytes, timeEnd)) return false;
      continue;
    }
    const at = field === LOG_TASK_NAME ? F.Task : field === LOG_TASK_INSTANCE_ID ? F.Instance : field === LOG_MESSAGE ? F.Message : field === LOG_TRACE_ID ? F.Trace : field === LOG_SPAN_ID ? F.Span : -1;
    if (at === -1) return false;
    seen = stringField(bytes, end, at, seen, 1 << field);
    if (seen < 0) return false;
  }
  return true;
}

/**
 * Appends the event at [start, end) of `bytes` to the log columns when it is a log record this
 * reader takes; false (and nothing appended) otherwise.
 */
export function appendWireLog(bytes: Uint8Array, start: number, end: number, columns: LogColumns, seq: number, idx: number, ingestMicros: number): boolean {
  fields.fill(start);
  timeMicros = null;
  level = 0;
  pos = start;
  let seen = 0;
  try {
    while (pos < end) {
      const tag = varint(bytes, end);
      if ((tag & 7) !== LENGTH_DELIMITED) return false;
      const field = tag >>> 3;
      if (field === EVENT_LOG) {
        if (seen & (1 << 3)) return false;
        seen |= 1 << 3;
        const length = varint(bytes, end);
        if (length < 0 || pos + length > end) return false;
        if (!readLog(bytes, pos + length)) return false;
        continue;
      }
      const at = field === EVENT_WORKFLOW_ID ? F.Workflow : field === EVENT_RUN_ID ? F.Run : -1;
      if (at === -1) return false;
      seen = stringField(bytes, end, at, seen, 1 << field);
      if (seen < 0) return false;
    }
  } catch {
    return false;
  }
  if (!(seen & (1 << 3))) return false;
  columns.seq.push(seq);
  columns.idx.push(idx);
  pushField(columns.workflowId, bytes, F.Workflow);
  pushField(columns.runId, bytes, F.Run);
  pushField(columns.taskName, bytes, F.Task);
  pushField(columns.taskInstanceId, bytes, F.Instance);
  columns.time.push(timeMicros ?? ingestMicros);
  columns.level.push(LEVEL_BYTES[level], 0, LEVEL_BYTES[level].length);
  pushField(columns.message, bytes, F.Message);
  columns.attributes.pushRow();
  pushField(columns.traceId, bytes, F.Trace);
  pushField(columns.spanId, bytes, F.Span);
  columns.ingestTime.push(ingestMicros);
  return true;
}

function pushField(column: StringColumn, bytes: Uint8Array, at: F): void {
  column.push(bytes, fields[at], fields[at + 1] - fields[at]);
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
  const workflowStart = fields[F.Workflow];
  const workflowEnd = fields[F.Workflow + 1];
  const runStart = fields[F.Run];
  const runEnd = fields[F.Run + 1];
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
