// Reads a partition's DuckDB file from a test: through a copy, since DuckDB lets one process open a file.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type JS } from '@duckdb/node-api';

export type Row = Record<string, JS>;

export function partitionFile(dataDir: string, partition: number): string {
  return join(dataDir, `partition-${partition}.duckdb`);
}

/**
 * Runs `sql` on a copy of partition p's file (the .duckdb and its .wal). With the persister
 * running, a copy may catch a write half done and fail to open or show less: use it to poll
 * (see waitUntil), and stop the persister before the final look.
 */
export async function queryPartition(dataDir: string, partition: number, sql: string): Promise<Row[]> {
  const source = partitionFile(dataDir, partition);
  const dir = mkdtempSync(join(tmpdir(), 'runlog-duckdb-'));
  try {
    const copy = join(dir, 'copy.duckdb');
    copyFileSync(source, copy);
    if (existsSync(`${source}.wal`)) copyFileSync(`${source}.wal`, `${copy}.wal`);
    const instance = await DuckDBInstance.create(copy);
    try {
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowObjectsJS();
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same query on every partition, rows concatenated in partition order. */
export async function queryAllPartitions(dataDir: string, partitions: number, sql: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let p = 0; p < partitions; p++) rows.push(...(await queryPartition(dataDir, p, sql)));
  return rows;
}

/** A single number from a one-row, one-column query summed over partitions, e.g. a count. */
export async function countAll(dataDir: string, partitions: number, sql: string): Promise<number> {
  const rows = await queryAllPartitions(dataDir, partitions, sql);
  return rows.reduce((sum, row) => sum + Number(Object.values(row)[0]), 0);
}

/** A MAP column as read by getRowObjectsJS ([{key, value}, …]) turned into a plain object. */
export function mapToObject(value: JS): Record<string, JS> {
  const entries = value as { key: JS; value: JS }[];
  return Object.fromEntries(entries.map((entry) => [String(entry.key), entry.value]));
}
