// Baseline figure: raw DuckDB append rate of log rows into a partition file, with the persister's own append code.
import { join } from 'node:path';
import { LogColumns } from '../services/persister/write/log-columns.js';
import { WIRE_FIELDS } from '../services/common/wire/fields.js';
import { repeatedFieldOffsets } from '../services/common/wire/reader.js';
import { RunIds } from '../services/persister/write/run-ids.js';
import { WireLogRows } from '../services/persister/write/wire-log-rows.js';
import { PartitionStore } from '../services/persister/write/partition-store.js';
import { contentionWarnings, cpuMeter, envNumber, round, type FigureScript } from './harness.js';
import { encodeEventBatch, logEvents } from './workload.js';

export const DUCKDB_APPEND = 'write.duckdb_append';
// The persister's default (RUNLOG_DUCKDB_THREADS): the baseline runs DuckDB as the persister does.
const DUCKDB_THREADS = 1;

/**
 * `logs` columns of the workload, as the persister fills them from the stream's messages. Built
 * outside the timed part: the baseline is what DuckDB and the column-to-vector path take, not
 * reading the messages.
 */
function logColumns(firstSeq: number, count: number, seed: number): LogColumns {
  const columns = new LogColumns();
  const wireLogs = new WireLogRows(new RunIds());
  const ingestMicros = Date.now() * 1000;
  // A message per 1000 events, as the end-to-end client sends them.
  for (let first = 0; first < count; first += 1000) {
    const message = Buffer.from(encodeEventBatch(logEvents(`bench-wf-${seed % 8}`, Math.min(1000, count - first), seed * 1000 + first)));
    const slices = repeatedFieldOffsets(message, WIRE_FIELDS.eventBatch.events)!;
    for (let idx = 0; idx < slices.length / 2; idx++) {
      if (!wireLogs.append(message, slices[2 * idx], slices[2 * idx + 1], columns, firstSeq + first / 1000, idx, ingestMicros)) throw new Error('the workload is not plain log records');
    }
  }
  return columns;
}

/** Appends `totalRows` in transactions of `rowsPerTransaction`, each with its watermark row, as applyBatch does. */
async function appendRate(path: string, rowsPerTransaction: number, totalRows: number): Promise<{ rowsPerSecond: number; commitMs: number }> {
  const store = await PartitionStore.open(path, { threads: DUCKDB_THREADS });
  const connection = await store.connect();
  let timedMs = 0;
  let seq = 1;
  try {
    for (let done = 0, tx = 0; done < totalRows; done += rowsPerTransaction, tx++) {
      const columns = logColumns(seq, rowsPerTransaction, tx);
      const highest = seq + Math.ceil(rowsPerTransaction / 1000) - 1;
      const startedAt = performance.now();
      await connection.run('BEGIN TRANSACTION');
      await columns.append(connection);
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
            `timed from BEGIN to COMMIT (columns filled beforehand), through the persister's LogColumns, DuckDB threads=${DUCKDB_THREADS}`,
        ],
        warnings: contentionWarnings(cores),
      },
    ];
  },
};
