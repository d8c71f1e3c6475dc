// Figure: sustained records/s from gRPC clients through ingest, JetStream and the persister until committed in DuckDB.
//
// How "committed" is measured, without adding anything to the services for it:
//   1. Load clients (child processes) send for a fixed time and report how many records were acked.
//   2. The stream's last sequence is then known; the bench asks the persister's read API for its
//      watermark (`minSeq` = that sequence) until the persister has committed everything.
//   3. The persister is stopped and its DuckDB file opened: the `applied` table holds one row per
//      committed transaction with `applied_at` (DuckDB's now(): the transaction's start, so the end
//      time is early by at most one batch's write, tens of ms) and the event count. Rows are counted
//      and checked against the acks: every acked record once, no position twice.
//   Rate = records committed ÷ (last commit − first send).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '../services/common/subjects.js';
import { PersisterClient } from '../services/query/persister-client.js';
import { contentionWarnings, cpuMeter, envNumber, round, startServices, type FigureScript } from './harness.js';
import { DUCKDB_APPEND } from './duckdb-append.js';
import { JETSTREAM_PUBLISH } from './jetstream-publish.js';
import type { LoadClientConfig, LoadClientResult } from './load-client.js';

export const END_TO_END = 'write.end_to_end';

const STREAM = 'BENCH_E2E';
const PREFIX = 'benche2e';
const LOAD_CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
// How long the persister may take to catch up after the load stops before the figure is abandoned.
const CATCH_UP_LIMIT_MS = 120_000;

export function runLoadClient(config: LoadClientConfig): Promise<LoadClientResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOAD_CLIENT, JSON.stringify(config)], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-8192)));
  return new Promise<LoadClientResult>((resolve, reject) =>
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as LoadClientResult);
      else reject(new Error(`load client ${config.clientIndex} exited with ${code}:\n${stderr}`));
    }),
  );
}

/** The load clients' results taken together; any client's errors fail the run. */
export function loadTotals(results: LoadClientResult[]): { acked: number; firstSendAt: number; lastAckAt: number } {
  const errors = results.flatMap((result) => result.errors);
  if (errors.length > 0) throw new Error(`load clients saw errors: ${errors.slice(0, 3).join('; ')}`);
  return {
    acked: results.reduce((sum, result) => sum + result.records, 0),
    firstSendAt: Math.min(...results.map((result) => result.firstSendAt)),
    lastAckAt: Math.max(...results.map((result) => result.lastAckAt)),
  };
}

/** Waits until the persister's watermark reached `seq` (its read API answers a minSeq read only then). */
export async function waitForWatermark(reader: PersisterClient, seq: number): Promise<void> {
  const deadline = Date.now() + CATCH_UP_LIMIT_MS;
  for (;;) {
    try {
      await reader.ask(0, { op: 'watermark', minSeq: seq });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the persister did not reach sequence ${seq} within ${CATCH_UP_LIMIT_MS} ms: ${(error as Error).message}`);
    }
  }
}

interface StoreCounts {
  rows: number;
  distinctPositions: number;
  committedEvents: number;
  transactions: number;
  firstCommitMs: number;
  lastCommitMs: number;
  committedByMs: (atMs: number) => number;
}

async function countStore(path: string): Promise<StoreCounts> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRows().map((row) => row.map(Number));
    const [[rows, distinctPositions]] = await read('SELECT count(*), count(DISTINCT (seq, idx)) FROM logs');
    const [[committedEvents, transactions, firstCommitMs, lastCommitMs]] = await read(
      'SELECT sum(events), count(*), epoch_ms(min(applied_at)), epoch_ms(max(applied_at)) FROM applied',
    );
    const timeline = await read('SELECT epoch_ms(applied_at), sum(events) OVER (ORDER BY seq) FROM applied ORDER BY seq');
    const committedByMs = (atMs: number) => timeline.filter(([at]) => at <= atMs).pop()?.[1] ?? 0;
    return { rows, distinctPositions, committedEvents, transactions, firstCommitMs, lastCommitMs, committedByMs };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const endToEnd: FigureScript = {
  name: 'end-to-end',
  issue: 2,
  async measure(context) {
    const seconds = envNumber('BENCH_E2E_SECONDS', 20);
    const clients = envNumber('BENCH_CLIENTS', 1);
    const streams = envNumber('BENCH_STREAMS', 2);
    const window = envNumber('BENCH_WINDOW', 4);
    const batchEvents = envNumber('BENCH_BATCH_EVENTS', 1000);
    const nc = await connect({ servers: await context.natsUrl() });
    const cluster = await startServices(context, { name: 'e2e', stream: STREAM, prefix: PREFIX, services: ['ingest'] }).catch(async (error) => {
      await nc.close();
      throw error;
    });
    const persister = cluster.processes.persister!;
    const ingest = cluster.processes.ingest!;
    try {
      context.progress(`end to end for ${seconds}s: ${clients} client process(es) × ${streams} AppendStream × ${window} requests in flight, ${batchEvents} records per request`);
      const loads = Array.from({ length: clients }, (_, clientIndex) =>
        runLoadClient({ address: cluster.ingestAddress, seconds, streams, window, batchEvents, clientIndex }),
      );
      // CPU is measured from the first send until everything is committed: every record has then
      // passed every process once, so CPU seconds ÷ records is each process's cost per record.
      const meter = cpuMeter({
        'nats-server': context.natsProcess()?.child.pid,
        ingest: ingest.child.pid,
        persister: persister.child.pid,
      });
      const meterStartedAt = performance.now();
      const results = await Promise.all(loads);
      const { acked, firstSendAt, lastAckAt } = loadTotals(results);
      const loadSeconds = (lastAckAt - firstSendAt) / 1000;

      const lastSeq = (await (await jetstreamManager(nc)).streams.info(STREAM)).state.last_seq;
      context.progress(`${acked} records acked; waiting for the persister to commit up to sequence ${lastSeq}`);
      await waitForWatermark(new PersisterClient(nc, new Subjects(PREFIX, 1), STREAM, 5000), lastSeq);
      const meterSeconds = (performance.now() - meterStartedAt) / 1000;
      const coresUsed = meter.stop(Object.fromEntries(results.map((result, i) => [`load-client-${i}`, result.cpuSeconds / meterSeconds])));
      const cpuPerRecord = Object.fromEntries(
        Object.entries(coresUsed)
          .filter(([name]) => name !== 'other processes')
          .map(([name, cores]) => [name, round((cores * meterSeconds * 1e6) / acked, 2)]),
      );
      await cluster.stop();

      const store = await countStore(cluster.storeFile);
      if (store.rows !== acked || store.committedEvents !== acked || store.distinctPositions !== store.rows) {
        throw new Error(`stored ${store.rows} rows (${store.distinctPositions} distinct positions, ${store.committedEvents} in applied) for ${acked} acked records`);
      }
      const elapsedSeconds = (store.lastCommitMs - firstSendAt) / 1000;
      return [
        {
          id: END_TO_END,
          title: 'end to end: gRPC → ingest → JetStream → persister → committed in DuckDB',
          value: round(acked / elapsedSeconds),
          unit: 'records/s',
          target: { atLeast: 100_000 },
          ratios: [{ to: DUCKDB_APPEND, target: { atLeast: 0.35 } }, { to: JETSTREAM_PUBLISH }],
          warnings: contentionWarnings(coresUsed),
          notes: [
            `CPU per record: ${Object.entries(cpuPerRecord).filter(([name]) => name !== 'bench').map(([name, us]) => `${name} ${us} µs`).join(', ')}`,
            `ingest acked ${Math.round(acked / loadSeconds).toLocaleString('en-US')} records/s while the persister committed ${Math.round(store.committedByMs(lastAckAt) / loadSeconds).toLocaleString('en-US')}/s; it caught up ${round((store.lastCommitMs - lastAckAt) / 1000, 1)} s after the load stopped`,
          ],
          details: {
            records: acked,
            seconds_first_send_to_last_commit: round(elapsedSeconds, 2),
            acked_per_s: round(acked / loadSeconds),
            committed_while_loading_per_s: round(store.committedByMs(lastAckAt) / loadSeconds),
            catch_up_after_load_s: round((store.lastCommitMs - lastAckAt) / 1000, 2),
            transactions: store.transactions,
            records_per_transaction: round(acked / store.transactions),
            ack_latency_ms: Object.fromEntries(results.map((result, i) => [`client_${i}`, result.ackLatencyMs])),
            cores_used: coresUsed,
            cpu_us_per_record: cpuPerRecord,
            load: { clients, streams_per_client: streams, requests_in_flight_per_stream: window, records_per_request: batchEvents, seconds },
          },
        },
      ];
    } finally {
      await cluster.stop();
      await nc.close();
    }
  },
};
