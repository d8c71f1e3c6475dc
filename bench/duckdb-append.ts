// Baseline figure: raw DuckDB append rate of log rows into a partition file, with the persister's own append code.
import { DuckDBMapValue, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { join } from 'node:path';
import { timestampToMicros } from '../services/common/values.js';
import { appendRows, PartitionStore, type Row } from '../services/persister/write.js';
import type { Timestamp__Output } from '../services/common/gen/google/protobuf/Timestamp.js';
import { contentionWarnings, cpuMeter, envNumber, round, type FigureScript } from './harness.js';
import { logEvents } from './workload.js';

export const DUCKDB_APPEND = 'write.duckdb_append';

/**
 * `logs` rows of the workload, values as the persister builds them. Built outside the timed part:
 * the baseline is what DuckDB and the Appender/DataChunk path take, not turning events into rows.
 */
function logRows(firstSeq: number, count: number, seed: number): Row[] {
  const ingest = new DuckDBTimestampTZValue(BigInt(Date.now()) * 1000n);
  const noAttributes = new DuckDBMapValue([]);
  // A message per 1000 events, as the end-to-end client sends them.
  return logEvents(`bench-wf-${seed % 8}`, count, seed).map((event, i) => {
    const log = event.log!;
    return [BigInt(firstSeq + Math.floor(i / 1000)), i % 1000, event.workflowId!, event.runId!, log.taskName!, log.taskInstanceId!,
      new DuckDBTimestampTZValue(timestampToMicros(log.time as Timestamp__Output)!), String(log.level).replace('LOG_LEVEL_', ''), log.message!,
      noAttributes, '', '', ingest];
  });
}

/** Appends `totalRows` in transactions of `rowsPerTransaction`, each with its watermark row, as applyBatch does. */
async function appendRate(path: string, rowsPerTransaction: number, totalRows: number): Promise<{ rowsPerSecond: number; commitMs: number }> {
  const store = await PartitionStore.open(path);
  const connection = await store.connect();
  let timedMs = 0;
  let seq = 1;
  try {
    for (let done = 0, tx = 0; done < totalRows; done += rowsPerTransaction, tx++) {
      const rows = logRows(seq, rowsPerTransaction, tx);
      const highest = seq + Math.ceil(rowsPerTransaction / 1000) - 1;
      const startedAt = performance.now();
      await connection.run('BEGIN TRANSACTION');
      await appendRows(connection, 'logs', rows);
      await connection.run('INSERT INTO applied VALUES ($1, $2, now())', [BigInt(highest), rowsPerTransaction]);
      await connection.run('COMMIT');
      timedMs += performance.now() - startedAt;
      seq = highest + 1;
    }
  } finally {
    connection.closeSync();
    store.close();
  }
  const transactions = Math.ceil(totalRows / rowsPerTransaction);
  return { rowsPerSecond: (transactions * rowsPerTransaction) / (timedMs / 1000), commitMs: timedMs / transactions };
}

export const duckdbAppend: FigureScript = {
  name: 'duckdb-append',
  issue: 2,
  async measure(context) {
    const totalRows = envNumber('BENCH_DUCKDB_ROWS', 600_000);
    const bySize: Record<string, { rowsPerSecond: number; commitMs: number }> = {};
    const meter = cpuMeter({});
    for (const rowsPerTransaction of [5_000, 20_000]) {
      context.progress(`raw DuckDB append, ${totalRows} rows in ${rowsPerTransaction}-row transactions`);
      bySize[rowsPerTransaction] = await appendRate(join(context.tempDir('duckdb'), 'partition-0.duckdb'), rowsPerTransaction, totalRows);
    }
    const cores = meter.stop();
    const best = Math.max(...Object.values(bySize).map((result) => result.rowsPerSecond));
    return [
      {
        id: DUCKDB_APPEND,
        title: 'raw DuckDB append (baseline, best transaction size)',
        value: round(best),
        unit: 'records/s',
        details: {
          ...Object.fromEntries(
            Object.entries(bySize).map(([size, result]) => [`tx_${size}_rows`, { records_per_s: round(result.rowsPerSecond), ms_per_transaction: round(result.commitMs, 1) }]),
          ),
          cores_used: cores,
        },
        notes: [
          `${Object.entries(bySize).map(([size, result]) => `${Number(size).toLocaleString('en-US')}-row transactions ${Math.round(result.rowsPerSecond).toLocaleString('en-US')}/s`).join(', ')}; ` +
            'timed from BEGIN to COMMIT (rows built beforehand), through the persister\'s appendRows',
        ],
        warnings: contentionWarnings(cores),
      },
    ];
  },
};
