// Reads protobuf's wire format by hand: one varint reader for all of runlog's hand-written wire code, its position kept in the reader the caller holds.
//
// Hand-written because protobufjs builds message objects (and toObject copies them), which cost
// ingest and the persister more CPU than the rest of their work; the messages read here are few
// and fixed (see fields.ts), and anything unexpected sends the caller back to protobufjs.

export const WIRE_TYPE = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

/** The tag of a field: its number and wire type. */
export const tagOf = (field: number, wireType: number): number => field * 8 + wireType;

const EMPTY = new Uint8Array(0);

export class WireReader {
  bytes: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  // Made on the first double() of these bytes: a page of log records reads one per record.
  private view: DataView | undefined;

  /** Reads [start, end) of `bytes` from its start. */
  at(bytes: Uint8Array, start = 0, end = bytes.length): this {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.view = undefined;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * A varint of at most 49 bits, or -1 when longer (huge or negative values: protobufjs handles
   * those); throws a RangeError when it runs past the end.
   */
  varint(): number {
    const bytes = this.bytes;
    let value = 0;
    for (let shift = 1; shift < 2 ** 49; shift *= 128) {
      if (this.pos >= this.end) throw new RangeError('varint runs past the message');
      const byte = bytes[this.pos++];
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
    return -1;
  }

  /** The length of a length-delimited field, checked to fit before the end; -1 when it does not. */
  length(): number {
    const length = this.varint();
    return length < 0 || this.pos + length > this.end ? -1 : length;
  }

  /** Where the embedded message that starts here (after its length) ends; -1 when it runs past the end. */
  embeddedEnd(): number {
    const length = this.length();
    return length < 0 ? -1 : this.pos + length;
  }

  /** The bytes of a length-delimited field (a view of the reader's bytes); throws when cut short. */
  lengthDelimited(): Uint8Array {
    const length = this.length();
    if (length < 0) throw new RangeError('field runs past the message');
    return this.bytes.subarray(this.pos, (this.pos += length));
  }

  /** A little-endian double (wire type 1). */
  double(): number {
    if (this.pos + 8 > this.end) throw new RangeError('double runs past the message');
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Skips a field's value of the wire type; throws on groups (runlog's contract has none) and unknown types. */
  skipValue(wireType: number): void {
    switch (wireType) {
      case WIRE_TYPE.VARINT:
        while (this.pos < this.end && this.bytes[this.pos] >= 0x80) this.pos++;
        if (this.pos++ >= this.end) throw new RangeError('varint runs past the message');
        return;
      case WIRE_TYPE.FIXED64:
        this.pos += 8;
        break;
      case WIRE_TYPE.LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_TYPE.FIXED32:
        this.pos += 4;
        break;
      default:
        throw new RangeError(`wire type ${wireType} is not read here`);
    }
    if (this.pos > this.end) throw new RangeError('field runs past the message');
  }
}

/**
 * The occurrences of length-delimited field `field` of a message made only of them (an EventBatch's
 * events) as [start, end) offsets into `bytes`; null when the message holds anything else or is cut short.
 */
export function repeatedFieldOffsets(bytes: Uint8Array, field: number, reader = new WireReader()): Int32Array | null {
  const tag = tagOf(field, WIRE_TYPE.LENGTH_DELIMITED);
  const offsets: number[] = [];
  reader.at(bytes);
  try {
    while (!reader.done) {
      if (reader.varint() !== tag) return null;
      const length = reader.length();
      if (length < 0) return null;
      offsets.push(reader.pos, reader.pos + length);
      reader.pos += length;
    }
  } catch {
    return null;
  }
  return Int32Array.from(offsets);
}

/**
 * The length-delimited fields found by following `path` (field numbers, outermost first), in wire
 * order. Every field but the last on the path is a singular message: like protobuf's decoders, the
 * last occurrence counts. Null on malformed input.
 */
export function fieldsAlong(bytes: Uint8Array, path: readonly number[]): Uint8Array[] | null {
  const found: Uint8Array[] = [];
  const reader = new WireReader();
  try {
    let message: Uint8Array | undefined = bytes;
    for (let depth = 0; message; depth++) {
      let inner: Uint8Array | undefined;
      reader.at(message);
      while (!reader.done) {
        const tag = reader.varint();
        if (tag === tagOf(path[depth], WIRE_TYPE.LENGTH_DELIMITED)) {
          const field = reader.lengthDelimited();
          if (depth === path.length - 1) found.push(field);
          else inner = field;
        } else reader.skipValue(tag & 7);
      }
      message = inner;
    }
    return found;
  } catch {
    return null;
  }
}
