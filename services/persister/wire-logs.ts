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

const utf8 = (bytes: Uint8Array, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return isUtf8(bytes.subarray(start, end));
  return true;
};

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
  const text = (column: StringColumn, at: F) => column.push(bytes, fields[at], fields[at + 1] - fields[at]);
  columns.seq.push(seq);
  columns.idx.push(idx);
  text(columns.workflowId, F.Workflow);
  text(columns.runId, F.Run);
  text(columns.taskName, F.Task);
  text(columns.taskInstanceId, F.Instance);
  columns.time.push(timeMicros ?? ingestMicros);
  columns.level.push(LEVEL_BYTES[level], 0, LEVEL_BYTES[level].length);
  text(columns.message, F.Message);
  columns.attributes.pushRow();
  text(columns.traceId, F.Trace);
  text(columns.spanId, F.Span);
  columns.ingestTime.push(ingestMicros);
  return true;
}

// The ids of the last log appended, kept as strings until an event with other id bytes comes.
let ids = { workflowId: '', runId: '' };
let idBytes = new Uint8Array(0);
let idEnds = [0, 0];

const sameBytes = (bytes: Uint8Array, start: number, end: number, other: Uint8Array, otherStart: number, otherEnd: number): boolean => {
  if (end - start !== otherEnd - otherStart) return false;
  for (let i = 0; i < end - start; i++) if (bytes[start + i] !== other[otherStart + i]) return false;
  return true;
};

/** Workflow and run id of the log appendWireLog last took from `bytes`; strings are made only when they change. */
export function lastIds(bytes: Uint8Array): { workflowId: string; runId: string } {
  const [workflowStart, workflowEnd, runStart, runEnd] = [fields[F.Workflow], fields[F.Workflow + 1], fields[F.Run], fields[F.Run + 1]];
  const workflowLength = workflowEnd - workflowStart;
  if (
    sameBytes(bytes, workflowStart, workflowEnd, idBytes, 0, idEnds[0]) &&
    sameBytes(bytes, runStart, runEnd, idBytes, idEnds[0], idEnds[1])
  ) {
    return ids;
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  ids = { workflowId: buffer.toString('utf8', workflowStart, workflowEnd), runId: buffer.toString('utf8', runStart, runEnd) };
  idBytes = new Uint8Array(workflowLength + runEnd - runStart);
  idBytes.set(bytes.subarray(workflowStart, workflowEnd), 0);
  idBytes.set(bytes.subarray(runStart, runEnd), workflowLength);
  idEnds = [workflowLength, idBytes.length];
  return ids;
}
