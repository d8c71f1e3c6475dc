// Column buffers written straight into DuckDB vectors: one memory copy per column and chunk instead of one native call per value.
//
// Through @duckdb/node-api each value is a JS object turned into DuckDB's form by a native call (one
// per string), which cost the persister more CPU than DuckDB's own append. Here fixed-width columns
// are typed arrays in DuckDB's layout, and a string column is the bytes it came in (slices of the
// JetStream message): strings of up to 12 bytes are inlined into the 16-byte `string_t` slots in
// JS, and only longer ones need a native call, which copies them into the vector's heap.
import duckdb from '@duckdb/node-bindings';

/** DuckDB's vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;
// A string_t is 16 bytes: its length, then either the string itself (up to 12 bytes) or a prefix and a pointer.
const STRING_T = 16;
const INLINE_BYTES = 12;
const TWO_TO_32 = 4294967296;

/** The array with twice the room, values kept. */
function doubled<T extends Int32Array | Uint32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** A column of 64-bit integers (UBIGINT, BIGINT, TIMESTAMPTZ micros) held as little-endian pairs of 32-bit halves. */
export class Int64Column {
  private words = new Int32Array(2 * 1024);
  length = 0;

  /** `value` must be a safe integer (|value| < 2^53). */
  push(value: number): void {
    if (2 * this.length === this.words.length) this.words = doubled(this.words);
    const high = Math.floor(value / TWO_TO_32);
    this.words[2 * this.length] = value - high * TWO_TO_32;
    this.words[2 * this.length + 1] = high;
    this.length++;
  }

  pushBigInt(value: bigint): void {
    if (2 * this.length === this.words.length) this.words = doubled(this.words);
    this.words[2 * this.length] = Number(BigInt.asIntN(32, value));
    this.words[2 * this.length + 1] = Number(BigInt.asIntN(32, value >> 32n));
    this.length++;
  }

  truncate(length: number): void {
    this.length = length;
  }

  write(vector: duckdb.Vector, from: number, count: number): void {
    duckdb.copy_data_to_vector(vector, 0, this.words.buffer, this.words.byteOffset + from * 8, count * 8);
  }
}

/** A column of unsigned 32-bit integers (UINTEGER). */
export class Uint32Column {
  private values = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) this.values = doubled(this.values);
    this.values[this.length++] = value;
  }

  truncate(length: number): void {
    this.length = length;
  }

  write(vector: duckdb.Vector, from: number, count: number): void {
    duckdb.copy_data_to_vector(vector, 0, this.values.buffer, this.values.byteOffset + from * 4, count * 4);
  }
}

// Reused by every string column: one chunk's string_t slots.
const slots = new Uint8Array(STRING_T * CHUNK_ROWS);
const slotView = new DataView(slots.buffer);

/**
 * A VARCHAR column: each value is `length` bytes of valid UTF-8 at `start` in `source` (the caller
 * checks; DuckDB does not). Values are references, not copies: sources must stay unchanged until written.
 */
export class StringColumn {
  private sources: Uint8Array[] = [];
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  length = 0;

  push(source: Uint8Array, start: number, length: number): void {
    if (this.length === this.starts.length) {
      this.starts = doubled(this.starts);
      this.lengths = doubled(this.lengths);
    }
    this.sources[this.length] = source;
    this.starts[this.length] = start;
    this.lengths[this.length] = length;
    this.length++;
  }

  pushString(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.push(bytes, 0, bytes.length);
  }

  truncate(length: number): void {
    this.length = length;
    this.sources.length = length;
  }

  /** Rows from..from+count into the vector's rows at..at+count (at most CHUNK_ROWS). */
  write(vector: duckdb.Vector, from: number, count: number, at = 0): void {
    slots.fill(0, 0, count * STRING_T);
    let long = false;
    for (let row = 0; row < count; row++) {
      const length = this.lengths[from + row];
      if (length > INLINE_BYTES) {
        long = true;
        continue;
      }
      const slot = row * STRING_T;
      slotView.setUint32(slot, length, true);
      const source = this.sources[from + row];
      const start = this.starts[from + row];
      for (let i = 0; i < length; i++) slots[slot + 4 + i] = source[start + i];
    }
    duckdb.copy_data_to_vector(vector, at * STRING_T, slots.buffer, 0, count * STRING_T);
    if (!long) return;
    for (let row = 0; row < count; row++) {
      const length = this.lengths[from + row];
      if (length <= INLINE_BYTES) continue;
      const start = this.starts[from + row];
      duckdb.vector_assign_string_element_len(vector, at + row, this.sources[from + row].subarray(start, start + length));
    }
  }
}

/** A MAP(VARCHAR, VARCHAR) column: a list of (key, value) structs per row. */
export class StringMapColumn {
  private readonly keys = new StringColumn();
  private readonly values = new StringColumn();
  // Per row: where its entries start in keys/values; entry counts follow from the next row's start.
  private firstEntry = new Int32Array(1024);
  length = 0;

  /** A row whose entries are then added with `entry`. */
  pushRow(): void {
    if (this.length + 2 > this.firstEntry.length) this.firstEntry = doubled(this.firstEntry);
    this.firstEntry[this.length] = this.keys.length;
    this.length++;
    this.firstEntry[this.length] = this.keys.length;
  }

  /** An entry of the last row. */
  entry(key: string, value: string): void {
    this.keys.pushString(key);
    this.values.pushString(value);
    this.firstEntry[this.length] = this.keys.length;
  }

  truncate(length: number): void {
    this.length = length;
    this.keys.truncate(this.firstEntry[length]);
    this.values.truncate(this.firstEntry[length]);
  }

  write(vector: duckdb.Vector, from: number, count: number): void {
    const base = this.firstEntry[from];
    const total = this.firstEntry[from + count] - base;
    // list_entry_t per row: offset and length, both uint64, into the child vector.
    const entries = new Int32Array(4 * count);
    for (let row = 0; row < count; row++) {
      entries[4 * row] = this.firstEntry[from + row] - base;
      entries[4 * row + 2] = this.firstEntry[from + row + 1] - this.firstEntry[from + row];
    }
    duckdb.copy_data_to_vector(vector, 0, entries.buffer, 0, entries.byteLength);
    duckdb.list_vector_reserve(vector, total);
    duckdb.list_vector_set_size(vector, total);
    if (total === 0) return;
    const struct = duckdb.list_vector_get_child(vector);
    // The child holds more rows than a chunk when the rows have many entries: written in chunk-sized slices.
    for (let done = 0; done < total; done += CHUNK_ROWS) {
      const slice = Math.min(CHUNK_ROWS, total - done);
      this.keys.write(duckdb.struct_vector_get_child(struct, 0), base + done, slice, done);
      this.values.write(duckdb.struct_vector_get_child(struct, 1), base + done, slice, done);
    }
  }
}
