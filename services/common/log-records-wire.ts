// Log records between persister and query service in their wire form: encoded once, by the persister, and passed on as bytes.
//
// The persister encodes each record as a runlog.v1.StoredEvent without its cursor and frames it with its
// position; the query service merges the frames of its partitions by position and wraps them into the
// QueryLogsResponse it sends, adding each record's cursor (its own field: protobuf merges concatenated
// fields of a message), without decoding and re-encoding the events.
import protobuf from 'protobufjs';
import type { Timestamp } from './gen/google/protobuf/Timestamp.js';
import { loadProtoRoot, varintLength } from './proto.js';
import type { StoredEventRow } from './read-protocol.js';
import { microsToTimestamp } from './values.js';

/** A record as the query service receives it: its position and its StoredEvent bytes (no cursor). */
export interface WireRecord {
  seq: number;
  idx: number;
  storedEvent: Uint8Array;
}

export interface LogRecordsWire {
  /** Appends one log record (the StoredEvent, but for its cursor, and its position) to a page being framed. */
  frame(writer: protobuf.Writer, record: StoredEventRow): void;
  /** The records of a framed page, in the order they were framed; the bytes are views of `page`. */
  unframe(page: Uint8Array): WireRecord[];
  /** runlog.v1.QueryLogsResponse of the records, each given its cursor, and the next page token. */
  queryLogsResponse(records: readonly { storedEvent: Uint8Array; cursor: string }[], nextPageToken: string): Buffer;
}

export function createLogRecordsWire(): LogRecordsWire {
  const root = loadProtoRoot('runlog/v1/query.proto');
  const storedEventType = root.lookupType('runlog.v1.StoredEvent');
  const responseType = root.lookupType('runlog.v1.QueryLogsResponse');
  const levels = root.lookupEnum('runlog.v1.LogLevel').values;
  // Tags of the length-delimited fields written by hand below: field number, wire type 2.
  const recordsTag = (responseType.fields.records.id << 3) | 2;
  const nextTokenTag = (responseType.fields.nextPageToken.id << 3) | 2;
  const cursorTag = (storedEventType.fields.cursor.id << 3) | 2;
  for (const tag of [recordsTag, nextTokenTag, cursorTag]) if (tag >= 0x80) throw new Error('one-byte tags expected');
  return {
    frame(writer, { seq, idx, ingestMicros, event }) {
      // encode() takes enums as numbers only (fromObject would convert, at the cost of copying every
      // message), and int64 seconds cheapest as numbers (a string goes through Long.fromString).
      const log = event.log && { ...event.log, level: levels[String(event.log.level)], time: numericSeconds(event.log.time) };
      const storedEvent = { event: { ...event, log }, ingestTime: numericSeconds(microsToTimestamp(BigInt(ingestMicros))) };
      // seq as a double: exact up to 2^53, like every position the read protocol carries.
      storedEventType.encodeDelimited(storedEvent, writer.double(seq).uint32(idx));
    },
    unframe(page) {
      const reader = protobuf.Reader.create(Buffer.isBuffer(page) ? page : Buffer.from(page.buffer, page.byteOffset, page.byteLength));
      const records: WireRecord[] = [];
      while (reader.pos < reader.len) records.push({ seq: reader.double(), idx: reader.uint32(), storedEvent: reader.bytes() });
      return records;
    },
    queryLogsResponse(records, nextPageToken) {
      const cursors = records.map((record) => Buffer.from(record.cursor));
      const sizes = records.map((record, i) => record.storedEvent.length + fieldSize(cursors[i].length));
      const token = Buffer.from(nextPageToken);
      const total = sizes.reduce((sum, size) => sum + fieldSize(size), 0) + (token.length > 0 ? fieldSize(token.length) : 0);
      const out = Buffer.allocUnsafe(total);
      let at = 0;
      const put = (tag: number, length: number) => {
        out[at++] = tag;
        at = writeVarint(out, at, length);
      };
      for (const [i, record] of records.entries()) {
        put(recordsTag, sizes[i]);
        out.set(record.storedEvent, at);
        at += record.storedEvent.length;
        put(cursorTag, cursors[i].length);
        at += cursors[i].copy(out, at);
      }
      // proto3 leaves an empty string out, as protobufjs does.
      if (token.length > 0) {
        put(nextTokenTag, token.length);
        at += token.copy(out, at);
      }
      return out;
    },
  };
}

const numericSeconds = (time: Timestamp | null | undefined) => time && { seconds: Number(time.seconds), nanos: time.nanos };

/** A length-delimited field of this many bytes, with its one-byte tag and its length prefix. */
const fieldSize = (length: number) => 1 + varintLength(length) + length;

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[at++] = value;
  return at;
}
