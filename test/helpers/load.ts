// A steady stream of numbered log events from several concurrent agents, and the exactly-once, in-order check of what got stored.
import assert from 'node:assert/strict';
import { partitionOf } from '../../services/common/subjects.js';
import type { Cluster } from './cluster.js';
import { countAll, queryPartition } from './duckdb.js';
import { numberedLog, runIds, type Event } from './events.js';
import { appendWithRetry, type RetryLog } from './ingest-client.js';
import { waitUntil } from './wait.js';
import type { IngestServiceClient } from '../../services/common/gen/runlog/v1/IngestService.js';

export interface LoadShape {
  runs: number;
  workflows: number;
  eventsPerRun: number;
  /** Agents sending at once; each owns every `senders`-th run, so a run has one sender, like a real one. */
  senders: number;
  eventsPerRequest: number;
}

export interface Load {
  readonly total: number;
  /** Events acked so far. */
  acked(): number;
  /** Resolves when every event is acked; rejects on a non-retryable failure. */
  readonly done: Promise<void>;
  /** Every failed attempt, for asserting on the codes seen. */
  readonly retries: RetryLog;
}

/**
 * Sends `eventsPerRun` numbered events for each run. A sender sends its requests one after the
 * other and resends a failed one (same request_id) until acked, so per-run order is the order
 * sent, and "acked" means the ingest service said so.
 */
export function startLoad(client: IngestServiceClient, shape: LoadShape, requestIdPrefix: string): Load {
  const runs = runIds(shape.runs, shape.workflows);
  const retries: RetryLog = { attempts: 0, failures: [] };
  let acked = 0;
  const sender = async (s: number) => {
    const owned = runs.filter((_, i) => i % shape.senders === s);
    const perRunPerRequest = Math.max(1, Math.floor(shape.eventsPerRequest / owned.length));
    for (let first = 0, request = 0; first < shape.eventsPerRun; first += perRunPerRequest, request++) {
      const last = Math.min(first + perRunPerRequest, shape.eventsPerRun);
      const events: Event[] = [];
      for (let n = first; n < last; n++) for (const run of owned) events.push(numberedLog(run.workflowId, run.runId, n));
      await appendWithRetry(client, { requestId: `${requestIdPrefix}-${s}-${request}`, events }, { log: retries, timeoutMs: 15_000 });
      acked += events.length;
    }
  };
  const done = Promise.all(Array.from({ length: shape.senders }, (_, s) => sender(s))).then(() => undefined);
  return { total: shape.runs * shape.eventsPerRun, acked: () => acked, done, retries };
}

/**
 * Resolves once `fraction` of the load is acked; fails at once if the load fails, and if it is
 * already complete (a crash planned for this point would not be mid-stream).
 */
export async function waitForAcked(load: Load, fraction: number): Promise<void> {
  let settled = false;
  load.done.then(
    () => (settled = true),
    () => (settled = true),
  );
  await waitUntil(() => load.acked(), (acked) => settled || acked >= fraction * load.total, { timeoutMs: 240_000, intervalMs: 20, what: `${fraction * 100}% acked` });
  if (settled) await load.done; // throws the load's error, if it had one
  assert.ok(load.acked() < load.total, `the load finished before the ${fraction * 100}% point`);
}

export interface RunCheck {
  workflow_id: string;
  run_id: string;
  events: bigint;
  distinct_n: bigint;
  /** Rows whose number differs from their place in (seq, idx) order: 0 when in order. */
  out_of_place: bigint;
}

/** Per run of one partition: how many events, how many distinct numbers, how many out of order. */
export async function checkRuns(dataDir: string, partition: number): Promise<RunCheck[]> {
  const rows = await queryPartition(
    dataDir,
    partition,
    `SELECT workflow_id, run_id, count(*) AS events, count(DISTINCT n) AS distinct_n, count(*) FILTER (WHERE n <> place) AS out_of_place
     FROM (SELECT workflow_id, run_id, CAST(attributes['n'] AS BIGINT) AS n,
                  row_number() OVER (PARTITION BY workflow_id, run_id ORDER BY seq, idx) - 1 AS place
           FROM logs)
     GROUP BY workflow_id, run_id`,
  );
  return rows as unknown as RunCheck[];
}

// The load's runs are in workflows wf-0, wf-1, …; a test may store other events beside them.
const LOAD_LOGS = `SELECT count(*) FROM logs WHERE workflow_id LIKE 'wf-%'`;

/**
 * Waits until the persisters stored as many events as the load sent, stops them (the files are
 * then complete, so the last look is at the real state, not a copy caught mid-write), and checks
 * every event is there exactly once and in per-run order.
 */
export async function assertLoadStored(cluster: Cluster, shape: LoadShape): Promise<void> {
  const total = shape.runs * shape.eventsPerRun;
  await waitUntil(() => countAll(cluster.dataDir, cluster.partitions, LOAD_LOGS), (count) => count >= total, {
    timeoutMs: 120_000,
    intervalMs: 500,
    what: 'every event in DuckDB',
    explain: () => cluster.output(),
  });
  await cluster.stopPersisters();
  assert.equal(await countAll(cluster.dataDir, cluster.partitions, LOAD_LOGS), total);
  await assertExactlyOnceInOrder(cluster.dataDir, cluster.partitions, shape);
}

/**
 * Every event of the load is stored exactly once (no run misses a number, none has one twice)
 * and in per-run order, in the partition that owns its workflow; nothing else is in the logs.
 */
async function assertExactlyOnceInOrder(dataDir: string, partitions: number, shape: LoadShape): Promise<void> {
  const expected = new Map(runIds(shape.runs, shape.workflows).map((run) => [run.runId, run.workflowId]));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (let p = 0; p < partitions; p++) {
    for (const run of await checkRuns(dataDir, p)) {
      if (!run.workflow_id.startsWith('wf-')) continue;
      seen.add(run.run_id);
      if (expected.get(run.run_id) !== run.workflow_id) problems.push(`unexpected run ${run.workflow_id}/${run.run_id}`);
      else if (partitionOf(run.workflow_id, partitions) !== p) problems.push(`${run.workflow_id} stored in partition ${p}`);
      const events = Number(run.events);
      const distinct = Number(run.distinct_n);
      if (events !== shape.eventsPerRun || distinct !== shape.eventsPerRun || run.out_of_place !== 0n) {
        problems.push(`${run.run_id}: ${events} rows, ${distinct} distinct numbers (want ${shape.eventsPerRun}), ${run.out_of_place} out of order`);
      }
    }
  }
  for (const runId of expected.keys()) if (!seen.has(runId)) problems.push(`${runId}: nothing stored`);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} runs wrong`);
}
