// The partition's tables as schema.sql declares them: the SQL to run at open, and each table's columns in their order, read from that same file.
//
// Writers place a row's values by column name (TableLayout.row), so the column order is written
// down once, in schema.sql; a column the writer does not fill is an error at the first row, not a
// value silently shifted into its neighbour.
import { readFileSync } from 'node:fs';
import type { DuckDBValue } from '@duckdb/node-api';

export const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** A row's values in its table's column order. */
export type Row = DuckDBValue[];

function tableColumns(sql: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const [, table, body] of sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)\n\);/g)) {
    const columns = body
      .split('\n')
      .map((line) => line.replace(/--.*$/, '').trim())
      .filter((line) => line !== '')
      .map((line) => line.split(/\s+/)[0]);
    tables.set(table, columns);
  }
  return tables;
}

const TABLES = tableColumns(SCHEMA_SQL);

export class TableLayout<Column extends string> {
  /** Each column's position in the table. */
  readonly index: Readonly<Record<Column, number>>;

  private constructor(
    readonly table: string,
    readonly columns: readonly Column[],
  ) {
    this.index = Object.fromEntries(columns.map((column, position) => [column, position])) as Record<Column, number>;
  }

  /** The layout of a table of schema.sql; `expected` are the columns its writer knows, in any order. */
  static of<Column extends string>(table: string, expected: readonly Column[]): TableLayout<Column> {
    const columns = TABLES.get(table);
    if (!columns) throw new Error(`schema.sql has no table ${table}`);
    const known = new Set<string>(expected);
    const unknown = columns.filter((column) => !known.has(column));
    const missing = expected.filter((column) => !columns.includes(column));
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(`table ${table}: schema.sql has columns ${columns.join(', ')}; the writer knows ${expected.join(', ')}`);
    }
    return new TableLayout(table, columns as Column[]);
  }

  /** The values as a row in the table's column order. */
  row(values: Readonly<Record<Column, DuckDBValue>>): Row {
    return this.columns.map((column) => values[column]);
  }
}
