// Log records between persister and query service in their wire form: encoded once, by the persister, and passed on as bytes.
//
// The persister encodes each record as a runlog.v1.StoredEvent without its cursor and frames it with its
// position; the query service merges the frames of its partitions by position and wraps them into the
// QueryLogsResponse it sends, adding each record's cursor (its own field: protobuf merges concatenated
// fields of a message), without decoding and re-encoding the events.
//
// The encoding is written by hand, field numbers taken from the contract: protobufjs builds a list of
// operations per field and copies every nested message, about 3 µs a record; this is a fraction.
import protobuf from 'protobufjs';
import { loadProtoRoot, varintLength } from '../proto.js';
import type { StoredEventRow } from '../read-protocol.js';
import { microsToTimestamp, timestampToMicros } from '../values.js';

/** A record as the query service receives it: its position and its StoredEvent bytes (no cursor). */
export interface WireRecord {
  seq: number;
  idx: number;
  storedEvent: Uint8Array;
}

/**
 * A log record with its text as UTF-8 bytes: the persister reads them so from DuckDB and frames
 * them without making strings of them. Times are microseconds since the epoch.
 */
export interface LogRecordBytes {
  seq: number;
  idx: number;
  ingestMicros: bigint;
  timeMicros: bigint;
  workflowId: Uint8Array;
  runId: Uint8Array;
  taskName: Uint8Array;
  taskInstanceId: Uint8Array;
  /** runlog.v1.LogLevel's number. */
  level: number;
  message: Uint8Array;
  attributes: [key: Uint8Array, value: Uint8Array][];
  traceId: Uint8Array;
  spanId: Uint8Array;
}

export interface LogRecordsWire {
  /** A page of log records (each the StoredEvent, but for its cursor, and its position), framed in the given order. */
  framePage(records: readonly LogRecordBytes[]): Uint8Array;
  /** A stored log event in the form framePage takes (its time must be set, as stored events' are). */
  recordBytes(row: StoredEventRow): LogRecordBytes;
  /** LogLevel's number of a level as the logs table stores it ('INFO'); 0 for none. */
  levelNumber(stored: string): number;
  /** The records of a framed page, in the order they were framed; the bytes are views of `page`. */
  unframe(page: Uint8Array): WireRecord[];
  /**
   * runlog.v1.QueryLogsResponse of the records and the next page token. Each record gets its cursor:
   * `cursorJson` writes the cursor's JSON text into the buffer given (from its start) and says how
   * long it is; it goes into the response base64url-encoded.
   */
  queryLogsResponse(records: readonly WireRecord[], cursorJson: (record: WireRecord, into: Buffer) => number, cursorJsonBuffer: Buffer, nextPageToken: string): Buffer;
}

const LENGTH_DELIMITED = 2;
const VARINT = 0;

export function createLogRecordsWire(): LogRecordsWire {
  const root = loadProtoRoot('runlog/v1/query.proto');
  const levels = root.lookupEnum('runlog.v1.LogLevel').values;
  // The tag of each field written here, from the contract: field number and wire type.
  const tagOf = (type: string, field: string, wireType: number) => {
    const tag = (root.lookupType(type).fields[field].id << 3) | wireType;
    if (tag >= 0x80) throw new Error(`${type}.${field}: one-byte tags expected`);
    return tag;
  };
  const TAG = {
    records: tagOf('runlog.v1.QueryLogsResponse', 'records', LENGTH_DELIMITED),
    nextPageToken: tagOf('runlog.v1.QueryLogsResponse', 'nextPageToken', LENGTH_DELIMITED),
    event: tagOf('runlog.v1.StoredEvent', 'event', LENGTH_DELIMITED),
    cursor: tagOf('runlog.v1.StoredEvent', 'cursor', LENGTH_DELIMITED),
    ingestTime: tagOf('runlog.v1.StoredEvent', 'ingestTime', LENGTH_DELIMITED),
    workflowId: tagOf('runlog.v1.Event', 'workflowId', LENGTH_DELIMITED),
    runId: tagOf('runlog.v1.Event', 'runId', LENGTH_DELIMITED),
    log: tagOf('runlog.v1.Event', 'log', LENGTH_DELIMITED),
    taskName: tagOf('runlog.v1.LogRecord', 'taskName', LENGTH_DELIMITED),
    taskInstanceId: tagOf('runlog.v1.LogRecord', 'taskInstanceId', LENGTH_DELIMITED),
    time: tagOf('runlog.v1.LogRecord', 'time', LENGTH_DELIMITED),
    level: tagOf('runlog.v1.LogRecord', 'level', VARINT),
    message: tagOf('runlog.v1.LogRecord', 'message', LENGTH_DELIMITED),
    attributes: tagOf('runlog.v1.LogRecord', 'attributes', LENGTH_DELIMITED),
    traceId: tagOf('runlog.v1.LogRecord', 'traceId', LENGTH_DELIMITED),
    spanId: tagOf('runlog.v1.LogRecord', 'spanId', LENGTH_DELIMITED),
    seconds: tagOf('google.protobuf.Timestamp', 'seconds', VARINT),
    nanos: tagOf('google.protobuf.Timestamp', 'nanos', VARINT),
    // A map entry is a message of key = 1 and value = 2 (the protobuf spec, not a declared type).
    entryKey: (1 << 3) | LENGTH_DELIMITED,
    entryValue: (2 << 3) | LENGTH_DELIMITED,
  };

  /** Writes one record's StoredEvent after its length; sizes are computed first, as the length comes before the bytes. */
  function writeStoredEvent(out: WireWriter, record: LogRecordBytes): void {
    const [timeSeconds, timeNanos] = timestampParts(record.timeMicros);
    const [ingestSeconds, ingestNanos] = timestampParts(record.ingestMicros);
    const level = record.level;
    let logSize =
      bytesSize(record.taskName) + bytesSize(record.taskInstanceId) + fieldSize(timestampSize(timeSeconds, timeNanos)) +
      (level ? 1 + varintLength(level) : 0) + bytesSize(record.message) + bytesSize(record.traceId) + bytesSize(record.spanId);
    for (const [key, value] of record.attributes) logSize += fieldSize(entrySize(key.length, value.length));
    const eventSize = bytesSize(record.workflowId) + bytesSize(record.runId) + fieldSize(logSize);
    out.varint(fieldSize(eventSize) + fieldSize(timestampSize(ingestSeconds, ingestNanos)));
    out.header(TAG.event, eventSize);
    out.bytesField(TAG.workflowId, record.workflowId);
    out.bytesField(TAG.runId, record.runId);
    out.header(TAG.log, logSize);
    out.bytesField(TAG.taskName, record.taskName);
    out.bytesField(TAG.taskInstanceId, record.taskInstanceId);
    writeTimestamp(out, TAG.time, timeSeconds, timeNanos);
    if (level) out.tag(TAG.level).varint(level);
    out.bytesField(TAG.message, record.message);
    for (const [key, value] of record.attributes) {
      out.header(TAG.attributes, entrySize(key.length, value.length));
      // Map entries keep their key and value even when empty, as protobufjs writes them.
      out.header(TAG.entryKey, key.length).bytes(key);
      out.header(TAG.entryValue, value.length).bytes(value);
    }
    out.bytesField(TAG.traceId, record.traceId);
    out.bytesField(TAG.spanId, record.spanId);
    writeTimestamp(out, TAG.ingestTime, ingestSeconds, ingestNanos);
  }

  function writeTimestamp(out: WireWriter, tag: number, seconds: number, nanos: number): void {
    out.header(tag, timestampSize(seconds, nanos));
    if (seconds) out.tag(TAG.seconds).int64(seconds);
    if (nanos) out.tag(TAG.nanos).varint(nanos);
  }

  const levelNumber = (stored: string) => levels[`LOG_LEVEL_${stored}`] ?? 0;
  const utf8 = (text: string | undefined) => Buffer.from(text ?? '', 'utf8');

  return {
    levelNumber,
    recordBytes({ seq, idx, ingestMicros, event }) {
      const log = event.log ?? {};
      return {
        seq, idx, ingestMicros: BigInt(ingestMicros), timeMicros: timestampToMicros(log.time) ?? 0n,
        workflowId: utf8(event.workflowId), runId: utf8(event.runId), taskName: utf8(log.taskName), taskInstanceId: utf8(log.taskInstanceId),
        level: levels[String(log.level)] ?? 0, message: utf8(log.message),
        attributes: Object.entries(log.attributes ?? {}).map(([key, value]) => [utf8(key), utf8(value)]),
        traceId: utf8(log.traceId), spanId: utf8(log.spanId),
      };
    },
    framePage(records) {
      // A log record is a few hundred bytes; the buffer grows should they be more.
      const out = new WireWriter(256 * records.length + 16);
      for (const record of records) {
        // seq as a double: exact up to 2^53, like every position the read protocol carries.
        out.double(record.seq).varint(record.idx);
        writeStoredEvent(out, record);
      }
      return out.finish();
    },
    unframe(page) {
      const reader = protobuf.Reader.create(Buffer.isBuffer(page) ? page : Buffer.from(page.buffer, page.byteOffset, page.byteLength));
      const records: WireRecord[] = [];
      while (reader.pos < reader.len) records.push({ seq: reader.double(), idx: reader.uint32(), storedEvent: reader.bytes() });
      return records;
    },
    queryLogsResponse(records, cursorJson, json, nextPageToken) {
      // Each record gains its tag, length and cursor: about 64 bytes for a few partitions.
      const out = new WireWriter(records.reduce((sum, { storedEvent }) => sum + storedEvent.length + 64, nextPageToken.length + 16));
      for (const record of records) {
        const jsonLength = cursorJson(record, json);
        const cursorLength = base64Length(jsonLength);
        out.header(TAG.records, record.storedEvent.length + fieldSize(cursorLength)).bytes(record.storedEvent);
        out.header(TAG.cursor, cursorLength).base64url(json, jsonLength);
      }
      out.bytesField(TAG.nextPageToken, Buffer.from(nextPageToken));
      return out.finish();
    },
  };
}

/** A length-delimited field of this many bytes, with its one-byte tag and its length prefix. */
const fieldSize = (length: number) => 1 + varintLength(length) + length;
/** A bytes or string field: proto3 leaves an empty one out. */
const bytesSize = (bytes: Uint8Array) => (bytes.length > 0 ? fieldSize(bytes.length) : 0);
/** Seconds and nanoseconds of a Timestamp, from microseconds. */
function timestampParts(micros: bigint): [seconds: number, nanos: number] {
  const { seconds, nanos } = microsToTimestamp(micros);
  return [Number(seconds), nanos ?? 0];
}
const timestampSize = (seconds: number, nanos: number) => (seconds ? 1 + int64Length(seconds) : 0) + (nanos ? 1 + varintLength(nanos) : 0);
// A negative int64 is ten bytes of two's complement.
const int64Length = (value: number) => (value < 0 ? 10 : varintLength(value));
const entrySize = (keyLength: number, valueLength: number) => fieldSize(keyLength) + fieldSize(valueLength);
/** Characters of unpadded base64 for this many bytes. */
const base64Length = (bytes: number) => Math.floor(bytes / 3) * 4 + [0, 2, 3][bytes % 3];
const BASE64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/** Protobuf wire format into one buffer that grows as needed. */
class WireWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(expectedBytes: number) {
    this.buffer = Buffer.allocUnsafe(expectedBytes);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }

  tag(tag: number): this {
    this.room(1);
    this.buffer[this.at++] = tag;
    return this;
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): this {
    this.room(10);
    while (value >= 0x80) {
      this.buffer[this.at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.at++] = value;
    return this;
  }

  int64(value: number): this {
    if (value >= 0) return this.varint(value);
    this.room(10);
    let bits = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++, bits >>= 7n) this.buffer[this.at++] = Number(bits & 0x7fn) | 0x80;
    this.buffer[this.at++] = Number(bits);
    return this;
  }

  double(value: number): this {
    this.room(8);
    this.at = this.buffer.writeDoubleLE(value, this.at);
    return this;
  }

  /** The tag and length of a length-delimited field whose bytes follow. */
  header(tag: number, length: number): this {
    return this.tag(tag).varint(length);
  }


  /** A bytes or string field given as bytes; proto3 leaves an empty one out. */
  bytesField(tag: number, bytes: Uint8Array): this {
    return bytes.length === 0 ? this : this.header(tag, bytes.length).bytes(bytes);
  }

  /** The first `length` bytes of `bytes` as unpadded base64url text (Buffer's 'base64url', without the string). */
  base64url(bytes: Uint8Array, length: number): this {
    this.room(base64Length(length));
    const buffer = this.buffer;
    let at = this.at;
    let i = 0;
    for (; i + 3 <= length; i += 3) {
      const bits = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      buffer[at++] = BASE64URL[bits >> 18];
      buffer[at++] = BASE64URL[(bits >> 12) & 63];
      buffer[at++] = BASE64URL[(bits >> 6) & 63];
      buffer[at++] = BASE64URL[bits & 63];
    }
    if (i < length) {
      const bits = (bytes[i] << 16) | (i + 1 < length ? bytes[i + 1] << 8 : 0);
      buffer[at++] = BASE64URL[bits >> 18];
      buffer[at++] = BASE64URL[(bits >> 12) & 63];
      if (i + 1 < length) buffer[at++] = BASE64URL[(bits >> 6) & 63];
    }
    this.at = at;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}
