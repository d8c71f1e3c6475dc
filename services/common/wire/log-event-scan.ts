// Scans one encoded runlog.v1.Event that is a plain log record, field by field, without building objects.
//
// Shared by ingest (building the request's event objects) and the persister (filling its log
// columns): decoding with protobufjs (message objects, then toObject) was a large part of both
// processes' CPU. Anything this scanner does not expect (another kind, attributes, a repeated or
// unknown field, a time outside 1970-2255 or with negative parts, a level outside the enum, bytes
// that are not UTF-8) makes it answer false, and the caller decodes that event with protobufjs,
// so both ways give the same event.
import { isUtf8 } from 'node:buffer';

const VARINT = 0;
const LENGTH_DELIMITED = 2;
// Field numbers in proto/runlog/v1/events.proto.
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
// Seconds below which microseconds stay exact in a double (2^53 µs is in the year 2255).
const MAX_SECONDS = 9e9;
const LEVEL_COUNT = 7;

/** Where each string field of the scanned event lies: [start, end) at these offsets of `scanned.fields`. */
export const FIELD = { workflowId: 0, runId: 2, taskName: 4, taskInstanceId: 6, message: 8, traceId: 10, spanId: 12 } as const;

/** What the last successful scanLogEvent found; overwritten by the next scan. */
export const scanned = {
  fields: new Int32Array(14),
  hasTime: false,
  seconds: 0,
  nanos: 0,
  /** LogLevel value, 0 to 6. */
  level: 0,
};

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
 * The occurrences of length-delimited field `field` of a message made only of them (an EventBatch's
 * events) as [start, end) offsets into `bytes`; null when the message holds anything else or is cut short.
 */
export function repeatedFieldSlices(bytes: Uint8Array, field: number): Int32Array | null {
  const offsets: number[] = [];
  pos = 0;
  try {
    while (pos < bytes.length) {
      if (varint(bytes, bytes.length) !== ((field << 3) | LENGTH_DELIMITED)) return null;
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

/** Reads a length-delimited string field at `pos` into scanned.fields[at], once only, and UTF-8; the new `seen`, or -1. */
function stringField(bytes: Uint8Array, end: number, at: number, seen: number, bit: number): number {
  if (seen & bit) return -1;
  const length = varint(bytes, end);
  if (length < 0 || pos + length > end || !utf8(bytes, pos, pos + length)) return -1;
  scanned.fields[at] = pos;
  scanned.fields[at + 1] = pos + length;
  pos += length;
  return seen | bit;
}

function readTime(bytes: Uint8Array, end: number): boolean {
  let seen = 0;
  scanned.seconds = 0;
  scanned.nanos = 0;
  while (pos < end) {
    const tag = varint(bytes, end);
    if ((tag & 7) !== VARINT || seen & (1 << (tag >>> 3))) return false;
    seen |= 1 << (tag >>> 3);
    const value = varint(bytes, end);
    if (value < 0) return false;
    if (tag >>> 3 === TIME_SECONDS) scanned.seconds = value;
    else if (tag >>> 3 === TIME_NANOS) scanned.nanos = value;
    else return false;
  }
  scanned.hasTime = true;
  return scanned.seconds < MAX_SECONDS && scanned.nanos < 2 ** 31;
}

function stringFieldOfLog(field: number): number {
  switch (field) {
    case LOG_TASK_NAME:
      return FIELD.taskName;
    case LOG_TASK_INSTANCE_ID:
      return FIELD.taskInstanceId;
    case LOG_MESSAGE:
      return FIELD.message;
    case LOG_TRACE_ID:
      return FIELD.traceId;
    case LOG_SPAN_ID:
      return FIELD.spanId;
    default:
      return -1;
  }
}

function readLog(bytes: Uint8Array, end: number): boolean {
  let seen = 0;
  while (pos < end) {
    const tag = varint(bytes, end);
    const field = tag >>> 3;
    if (field === LOG_LEVEL && (tag & 7) === VARINT) {
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
      scanned.level = varint(bytes, end);
      if (scanned.level < 0 || scanned.level >= LEVEL_COUNT) return false;
      continue;
    }
    if ((tag & 7) !== LENGTH_DELIMITED) return false;
    if (field === LOG_TIME) {
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
      const length = varint(bytes, end);
      if (length < 0 || pos + length > end || !readTime(bytes, pos + length)) return false;
      continue;
    }
    const at = stringFieldOfLog(field);
    if (at === -1) return false;
    seen = stringField(bytes, end, at, seen, 1 << field);
    if (seen < 0) return false;
  }
  return true;
}

/** Scans the event at [start, end) of `bytes` into `scanned`; false when it is not a log record this scanner takes. */
export function scanLogEvent(bytes: Uint8Array, start: number, end: number): boolean {
  // Absent strings are empty: [start, start).
  for (let i = 0; i < scanned.fields.length; i++) scanned.fields[i] = start;
  scanned.hasTime = false;
  scanned.level = 0;
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
        if (length < 0 || pos + length > end || !readLog(bytes, pos + length)) return false;
        continue;
      }
      const at = field === EVENT_WORKFLOW_ID ? FIELD.workflowId : field === EVENT_RUN_ID ? FIELD.runId : -1;
      if (at === -1) return false;
      seen = stringField(bytes, end, at, seen, 1 << field);
      if (seen < 0) return false;
    }
  } catch {
    return false;
  }
  return (seen & (1 << 3)) !== 0;
}
