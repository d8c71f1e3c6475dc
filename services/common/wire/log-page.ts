// Log records between persister and query service in their wire form: encoded once, by the persister, and passed on as bytes.
//
// The persister encodes each record as a runlog.v1.StoredEvent without its cursor and frames it with its
// position; the query service merges the frames of its partitions by position and wraps them into the
// QueryLogsResponse it sends, adding each record's cursor (its own field: protobuf merges concatenated
// fields of a message), without decoding and re-encoding the events.
//
// The encoding is written by hand, field numbers taken from the contract: protobufjs builds a list of
// operations per field and copies every nested message, which costs many times this on every record.
import { levelNumber } from '../enums.js';
import type { StoredEventRow } from '../read-protocol.js';
import { microsToTimestamp, timestampToMicros } from '../values.js';
import { WIRE_FIELDS } from './fields.js';
import { WIRE_TYPE, WireReader } from './reader.js';
import { base64Length, bytesSize, fieldSize, int64Length, oneByteTag, varintLength, WireWriter } from './writer.js';

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
  /** The records of a framed page, in the order they were framed; the bytes are views of `page`. */
  unframe(page: Uint8Array): WireRecord[];
  /**
   * runlog.v1.QueryLogsResponse of the records and the next page token. Each record gets its cursor:
   * `cursorJson` writes the cursor's JSON text into the buffer given (from its start) and says how
   * long it is; it goes into the response base64url-encoded.
   */
  queryLogsResponse(records: readonly WireRecord[], cursorJson: (record: WireRecord, into: Buffer) => number, cursorJsonBuffer: Buffer, nextPageToken: string): Buffer;
}

const { LENGTH_DELIMITED, VARINT } = WIRE_TYPE;

export function createLogRecordsWire(): LogRecordsWire {
  const { queryLogsResponse, storedEvent, event, logRecord, timestamp } = WIRE_FIELDS;
  const TAG = {
    records: oneByteTag(queryLogsResponse.records, LENGTH_DELIMITED),
    nextPageToken: oneByteTag(queryLogsResponse.nextPageToken, LENGTH_DELIMITED),
    event: oneByteTag(storedEvent.event, LENGTH_DELIMITED),
    cursor: oneByteTag(storedEvent.cursor, LENGTH_DELIMITED),
    ingestTime: oneByteTag(storedEvent.ingestTime, LENGTH_DELIMITED),
    workflowId: oneByteTag(event.workflowId, LENGTH_DELIMITED),
    runId: oneByteTag(event.runId, LENGTH_DELIMITED),
    log: oneByteTag(event.log, LENGTH_DELIMITED),
    taskName: oneByteTag(logRecord.taskName, LENGTH_DELIMITED),
    taskInstanceId: oneByteTag(logRecord.taskInstanceId, LENGTH_DELIMITED),
    time: oneByteTag(logRecord.time, LENGTH_DELIMITED),
    level: oneByteTag(logRecord.level, VARINT),
    message: oneByteTag(logRecord.message, LENGTH_DELIMITED),
    attributes: oneByteTag(logRecord.attributes, LENGTH_DELIMITED),
    traceId: oneByteTag(logRecord.traceId, LENGTH_DELIMITED),
    spanId: oneByteTag(logRecord.spanId, LENGTH_DELIMITED),
    seconds: oneByteTag(timestamp.seconds, VARINT),
    nanos: oneByteTag(timestamp.nanos, VARINT),
    // A map entry is a message of key = 1 and value = 2 (the protobuf spec, not a declared type).
    entryKey: oneByteTag(1, LENGTH_DELIMITED),
    entryValue: oneByteTag(2, LENGTH_DELIMITED),
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

  const utf8 = (text: string | undefined) => Buffer.from(text ?? '', 'utf8');

  return {
    recordBytes({ seq, idx, ingestMicros, event }) {
      const log = event.log ?? {};
      return {
        seq, idx, ingestMicros: BigInt(ingestMicros), timeMicros: timestampToMicros(log.time) ?? 0n,
        workflowId: utf8(event.workflowId), runId: utf8(event.runId), taskName: utf8(log.taskName), taskInstanceId: utf8(log.taskInstanceId),
        level: levelNumber(String(log.level)), message: utf8(log.message),
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
      const reader = new WireReader().at(page);
      const records: WireRecord[] = [];
      while (!reader.done) records.push({ seq: reader.double(), idx: reader.varint(), storedEvent: reader.lengthDelimited() });
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


/** Seconds and nanoseconds of a Timestamp, from microseconds. */
function timestampParts(micros: bigint): [seconds: number, nanos: number] {
  const { seconds, nanos } = microsToTimestamp(micros);
  return [Number(seconds), nanos ?? 0];
}
const timestampSize = (seconds: number, nanos: number) => (seconds ? 1 + int64Length(seconds) : 0) + (nanos ? 1 + varintLength(nanos) : 0);
const entrySize = (keyLength: number, valueLength: number) => fieldSize(keyLength) + fieldSize(valueLength);
