// Parameterised SQL for the reads: a WHERE builder (user data only ever travels as bound values) and rows out of DuckDB.
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import type { Position } from '../common/read-protocol.js';
import type { JsonRow } from './rows.js';

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
    const [seq, idx] = [BigInt(position[0]), position[1]];
    return descending
      ? this.add('seq <= ?::UBIGINT AND (seq < ?::UBIGINT OR idx < ?)', seq, seq, idx)
      : this.add('seq >= ?::UBIGINT AND (seq > ?::UBIGINT OR idx > ?)', seq, seq, idx);
  }

  toString(): string {
    return this.clauses.length === 0 ? 'TRUE' : this.clauses.join(' AND ');
  }
}

// Statements prepared once per connection and SQL text: a page read repeats a few shapes of SQL with
// other values, and preparing is two of the round trips into DuckDB's threads that running takes.
// A connection serves one read at a time, so binding a cached statement cannot race.
const PREPARED_PER_CONNECTION = 32;
const preparedStatements = new WeakMap<DuckDBConnection, Map<string, Promise<DuckDBPreparedStatement>>>();

function preparedStatement(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let statements = preparedStatements.get(connection);
  if (!statements) preparedStatements.set(connection, (statements = new Map()));
  let statement = statements.get(sql);
  if (statement) {
    // Most recently used last: the first is the one to drop.
    statements.delete(sql);
  } else {
    statement = connection.prepare(sql);
    // A statement that failed to prepare is not kept: the next read tries again.
    statement.catch(() => statements.delete(sql));
    if (statements.size >= PREPARED_PER_CONNECTION) {
      const [oldest, dropped] = statements.entries().next().value as [string, Promise<DuckDBPreparedStatement>];
      statements.delete(oldest);
      void dropped.then((prepared) => prepared.destroySync(), () => undefined);
    }
  }
  statements.set(sql, statement);
  return statement;
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
  const statement = await preparedStatement(connection, sql);
  statement.bind(values);
  const result = await statement.run();
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
