// Scans one encoded runlog.v1.Event that is a plain log record, field by field, without building objects.
//
// Shared by ingest (building the request's event objects) and the persister (filling its log
// columns): decoding with protobufjs (message objects, then toObject) was a large part of both
// processes' CPU. Anything this scanner does not expect (another kind, attributes, a repeated or
// unknown field, a time outside 1970-2255 or with negative parts, a level outside the enum, bytes
// that are not UTF-8) makes it answer false, and the caller decodes that event with protobufjs,
// so both ways give the same event.
import { isUtf8 } from 'node:buffer';
import { LEVEL_BY_NUMBER } from '../enums.js';
import { WIRE_FIELDS, type WireFields } from './fields.js';
import { WIRE_TYPE, WireReader } from './reader.js';

// Seconds below which microseconds stay exact in a double (2^53 µs is in the year 2255).
const MAX_SECONDS = 9e9;

/** Where each string field of a scanned event lies: [start, end) at these offsets of `LogEventScanner.fields`. */
export const FIELD = { workflowId: 0, runId: 2, taskName: 4, taskInstanceId: 6, message: 8, traceId: 10, spanId: 12 } as const;
type StringField = (typeof FIELD)[keyof typeof FIELD];

function utf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return isUtf8(bytes.subarray(start, end));
  return true;
}

/** A lookup of string fields by field number (a table, not a Map: it is consulted for every field of every event). */
function stringFieldTable(entries: [field: number, at: StringField][]): Int8Array {
  const table = new Int8Array(Math.max(...entries.map(([field]) => field)) + 1).fill(-1);
  for (const [field, at] of entries) table[field] = at;
  return table;
}

/**
 * Scans log events; after a scan that answered true, its fields describe that event until the next
 * scan. One scanner per caller, reused: the hot loop allocates nothing.
 */
export class LogEventScanner {
  /** [start, end) offsets of each string field (see FIELD); absent strings are empty. */
  readonly fields = new Int32Array(14);
  hasTime = false;
  seconds = 0;
  nanos = 0;
  /** LogLevel's wire number. */
  level = 0;
  private readonly reader = new WireReader();
  // The string field (FIELD) of each field number of Event and LogRecord, -1 for the others.
  private readonly eventFields: Int8Array;
  private readonly logFields: Int8Array;

  constructor(private readonly wire: WireFields = WIRE_FIELDS) {
    this.eventFields = stringFieldTable([[wire.event.workflowId, FIELD.workflowId], [wire.event.runId, FIELD.runId]]);
    const log = wire.logRecord;
    this.logFields = stringFieldTable([
      [log.taskName, FIELD.taskName], [log.taskInstanceId, FIELD.taskInstanceId], [log.message, FIELD.message],
      [log.traceId, FIELD.traceId], [log.spanId, FIELD.spanId],
    ]);
  }

  /** Scans the event at [start, end) of `bytes`; false when it is not a log record this scanner takes. */
  scan(bytes: Uint8Array, start: number, end: number): boolean {
    this.fields.fill(start);
    this.hasTime = false;
    this.level = 0;
    const reader = this.reader.at(bytes, start, end);
    const logField = this.wire.event.log;
    let seen = 0;
    let sawLog = false;
    try {
      while (!reader.done) {
        const tag = reader.varint();
        if ((tag & 7) !== WIRE_TYPE.LENGTH_DELIMITED) return false;
        const field = tag >>> 3;
        if (field === logField) {
          const end = sawLog ? -1 : reader.embeddedEnd();
          if (end < 0 || !this.readLog(end)) return false;
          sawLog = true;
          continue;
        }
        seen = this.stringField(this.eventFields, field, seen);
        if (seen < 0) return false;
      }
    } catch {
      return false;
    }
    return sawLog;
  }

  /** Reads a length-delimited string field into fields[at], once only, and UTF-8; the new `seen`, or -1. */
  /** Reads the string field `field` of a table (-1 when not one of its strings, or seen before); returns `seen` with its bit. */
  private stringField(table: Int8Array, field: number, seen: number): number {
    const at = (field < table.length ? table[field] : -1) as StringField | -1;
    if (at === -1) return -1;
    const bit = 1 << (at / 2);
    if (seen & bit) return -1;
    const reader = this.reader;
    const length = reader.length();
    if (length < 0 || !utf8(reader.bytes, reader.pos, reader.pos + length)) return -1;
    this.fields[at] = reader.pos;
    this.fields[at + 1] = reader.pos + length;
    reader.pos += length;
    return seen | bit;
  }

  private readLog(end: number): boolean {
    const reader = this.reader;
    const outerEnd = reader.end;
    reader.end = end;
    const { level, time } = this.wire.logRecord;
    let seen = 0;
    let sawLevel = false;
    let sawTime = false;
    try {
      while (!reader.done) {
        const tag = reader.varint();
        const field = tag >>> 3;
        if (field === level && (tag & 7) === WIRE_TYPE.VARINT) {
          if (sawLevel) return false;
          sawLevel = true;
          this.level = reader.varint();
          if (this.level < 0 || LEVEL_BY_NUMBER[this.level] === undefined) return false;
          continue;
        }
        if ((tag & 7) !== WIRE_TYPE.LENGTH_DELIMITED) return false;
        if (field === time) {
          const end = sawTime ? -1 : reader.embeddedEnd();
          if (end < 0 || !this.readTime(end)) return false;
          sawTime = true;
          continue;
        }
        seen = this.stringField(this.logFields, field, seen);
        if (seen < 0) return false;
      }
      return true;
    } finally {
      reader.end = outerEnd;
    }
  }

  private readTime(end: number): boolean {
    const reader = this.reader;
    const outerEnd = reader.end;
    reader.end = end;
    const { seconds, nanos } = this.wire.timestamp;
    let sawSeconds = false;
    let sawNanos = false;
    this.seconds = 0;
    this.nanos = 0;
    try {
      while (!reader.done) {
        const tag = reader.varint();
        if ((tag & 7) !== WIRE_TYPE.VARINT) return false;
        const field = tag >>> 3;
        const value = reader.varint();
        if (value < 0) return false;
        if (field === seconds && !sawSeconds) {
          sawSeconds = true;
          this.seconds = value;
        } else if (field === nanos && !sawNanos) {
          sawNanos = true;
          this.nanos = value;
        } else return false;
      }
      this.hasTime = true;
      return this.seconds < MAX_SECONDS && this.nanos < 2 ** 31;
    } finally {
      reader.end = outerEnd;
    }
  }
}
