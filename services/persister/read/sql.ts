// SQL for the reads: a WHERE builder (user data only ever travels as bound values; stream positions
// go into the text, see positionLiteral) and rows out of DuckDB.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { ReadError, type Position } from '../../common/read-protocol.js';
import type { JsonRow } from './stored-rows.js';

export class Where {
  private readonly clauses: string[] = [];
  readonly values: DuckDBValue[] = [];

  /** Adds a clause whose `?` placeholders take the given values in order. */
  add(clause: string, ...values: DuckDBValue[]): this {
    this.clauses.push(clause);
    this.values.push(...values);
    return this;
  }

  /** Rows after (or, descending, before) a position; the plain seq bound lets zone maps skip row groups. */
  afterPosition(position: Position | undefined, descending = false): this {
    if (!position) return this;
    const [seq, idx] = [positionLiteral(position[0]), positionLiteral(position[1])];
    return descending ? this.add(`seq <= ${seq} AND (seq < ${seq} OR idx < ${idx})`) : this.add(`seq >= ${seq} AND (seq > ${seq} OR idx > ${idx})`);
  }

  toString(): string {
    return this.clauses.length === 0 ? 'TRUE' : this.clauses.join(' AND ');
  }
}

/**
 * A stream sequence or event index as SQL text. DuckDB turns a comparison of a column with a
 * constant into a scan filter that skips whole row groups by their min/max; compared with a bound
 * parameter, the column is filtered row by row, several times slower on a large partition. Only
 * non-negative integers pass, so nothing but digits reaches the SQL.
 */
export function positionLiteral(value: unknown): string {
  const integer = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (integer < 0n) throw new ReadError('bad-request', `not a stream position: ${String(value).slice(0, 40)}`);
  return `${integer}::UBIGINT`;
}

export async function selectRows(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<JsonRow[]> {
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getRowObjectsJson() as JsonRow[];
}

/**
 * Rows of DuckDB's own values (bigint, string, DuckDBMapValue…), read column by column: cheaper than
 * selectRows for pages of many rows. Each row starts as a copy of `fixed` (values it has without asking).
 */
export async function selectValueRows(connection: DuckDBConnection, sql: string, values: DuckDBValue[], fixed: JsonRow = {}): Promise<JsonRow[]> {
  const result = await connection.run(sql, values);
  const names = result.columnNames();
  // Every row gets all its keys at once, in one order: objects grown key by key from a copy turn slow.
  const template: JsonRow = { ...fixed, ...Object.fromEntries(names.map((name) => [name, null])) };
  const rows: JsonRow[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    // rowCount asks the native chunk each time: read it once.
    const count = chunk.rowCount;
    const first = rows.length;
    for (let row = 0; row < count; row++) rows.push({ ...template });
    for (const [column, name] of names.entries()) {
      const vector = chunk.getColumnVector(column);
      for (let row = 0; row < count; row++) rows[first + row][name] = vector.getItem(row);
    }
  }
  return rows;
}
