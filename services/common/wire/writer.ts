// Writes protobuf's wire format by hand into one growing buffer, with the sizes a writer needs before it writes a length.
import { tagOf } from './reader.js';

/** Bytes of a varint of this non-negative value. */
export function varintLength(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes++;
  }
  return bytes;
}

/** A length-delimited field of this many bytes, with its one-byte tag and its length prefix. */
export const fieldSize = (length: number) => 1 + varintLength(length) + length;
/** A bytes or string field: proto3 leaves an empty one out. */
export const bytesSize = (bytes: Uint8Array) => (bytes.length > 0 ? fieldSize(bytes.length) : 0);
// A negative int64 is ten bytes of two's complement.
export const int64Length = (value: number) => (value < 0 ? 10 : varintLength(value));
/** Characters of unpadded base64 for this many bytes. */
export const base64Length = (bytes: number) => Math.floor(bytes / 3) * 4 + [0, 2, 3][bytes % 3];
const BASE64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/** The one-byte tag of a field (every field the hand-written writers write has a number below 16). */
export function oneByteTag(field: number, wireType: number): number {
  const tag = tagOf(field, wireType);
  if (tag >= 0x80) throw new Error(`field ${field}: one-byte tags expected`);
  return tag;
}

/** Protobuf wire format into one buffer that grows as needed. */
export class WireWriter {
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
