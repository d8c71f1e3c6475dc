// Writes export rows to a Parquet file with DuckDB: rows appended to an in-memory table, then COPY … (FORMAT parquet).
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { EXPORT_COLUMNS, type ExportRow } from './export-rows.js';

const INTEGER_COLUMNS = new Set<keyof ExportRow>(['attempt', 'step']);

export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly appender: DuckDBAppender,
  ) {}

  static async open(): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const columns = EXPORT_COLUMNS.map((column) => `${column} ${INTEGER_COLUMNS.has(column) ? 'BIGINT' : 'VARCHAR'}`).join(', ');
    await connection.run(`CREATE TABLE export (${columns})`);
    return new ParquetWriter(instance, connection, await connection.createAppender('export'));
  }

  append(row: ExportRow): void {
    for (const column of EXPORT_COLUMNS) {
      const value = row[column];
      if (value === null || value === undefined) this.appender.appendNull();
      else if (INTEGER_COLUMNS.has(column)) this.appender.appendBigInt(BigInt(value));
      else this.appender.appendVarchar(String(value));
    }
    this.appender.endRow();
  }

  /** Writes the file: `time` as TIMESTAMPTZ, the rest as appended. */
  async finish(path: string): Promise<void> {
    this.appender.flushSync();
    this.appender.closeSync();
    const columns = EXPORT_COLUMNS.map((column) => (column === 'time' ? 'CAST(time AS TIMESTAMPTZ) AS time' : column)).join(', ');
    await this.connection.run(`COPY (SELECT ${columns} FROM export) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
