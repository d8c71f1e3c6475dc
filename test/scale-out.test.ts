// Scale-out on loopback: 3 clustered nats-servers (stream R3), 2 ingest, 4 persisters, 2 query; while writers send, one of each kind fails, and nothing is lost, doubled or reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { partitionOf } from '../services/common/subjects.js';
import { checkRuns } from './helpers/load.js';
import { numberedLog, runIds, type Event } from './helpers/events.js';
import { ingestClient, isServiceError, type AppendRequest } from './helpers/ingest-client.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';
import { queryClient, type QueryServiceClient } from './helpers/query-client.js';
import { NumberedRuns, subscribe, type Subscription } from './helpers/subscription.js';
import { sleep, waitUntil } from './helpers/wait.js';
import { removeDir, startNatsCluster, startServiceOnFreePort, type RunningService } from './helpers/multi-node.js';

// The 500,000 events: about 100 s here, with every process of the cluster (3 nats-servers
// replicating R3, 8 services, the writers and subscribers in this process) on 2 shared cores.
// RUNLOG_SCALE_OUT_EVENTS sets another count (the faults fall at the same fractions of it).
const TOTAL_EVENTS = Number(process.env.RUNLOG_SCALE_OUT_EVENTS ?? 500_000);
const PARTITIONS = 4;
const WORKFLOWS = 16;
const RUNS = 64;
const SENDERS = 8;
const EVENTS_PER_REQUEST = 400;
const EVENTS_PER_RUN = Math.ceil(TOTAL_EVENTS / RUNS);
/** Workflows followed by subscribers: each by one, half of them through each query process. */
const FOLLOWED = ['wf-0', 'wf-1', 'wf-2', 'wf-3', 'wf-5', 'wf-6'];

// What a client retries on another ingest (the same request, the same request_id).
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.CANCELLED]);

interface Writers {
  acked(): number;
  readonly done: Promise<void>;
  readonly failovers: number;
}

/**
 * SENDERS agents, each owning every SENDERS-th run and sending its requests one after the other;
 * a failed request is resent, with the same request_id, to the other ingest, as an agent with two
 * addresses does. "Acked" is what an ingest answered OK.
 */
function startWriters(clients: IngestServiceClient[]): Writers {
  const runs = runIds(RUNS, WORKFLOWS);
  let acked = 0;
  let failovers = 0;
  const send = (client: IngestServiceClient, request: AppendRequest) =>
    new Promise<void>((resolve, reject) =>
      client.Append(request, { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
    );
  const sender = async (s: number) => {
    const owned = runs.filter((_, i) => i % SENDERS === s);
    const perRun = Math.max(1, Math.floor(EVENTS_PER_REQUEST / owned.length));
    let target = s % clients.length;
    for (let first = 0, request = 0; first < EVENTS_PER_RUN; first += perRun, request++) {
      const events: Event[] = [];
      for (let n = first; n < Math.min(first + perRun, EVENTS_PER_RUN); n++) for (const run of owned) events.push(numberedLog(run.workflowId, run.runId, n));
      const appendRequest = { requestId: `scale-${s}-${request}`, events };
      for (let attempt = 0; ; attempt++) {
        try {
          await send(clients[target], appendRequest);
          break;
        } catch (error) {
          if (!isServiceError(error) || !RETRYABLE.has(error.code) || attempt > 200) throw error;
          target = (target + 1) % clients.length;
          failovers++;
          await sleep(50);
        }
      }
      acked += events.length;
    }
  };
  const done = Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s))).then(() => undefined);
  return { acked: () => acked, done, get failovers() { return failovers; } };
}

/**
 * A subscriber of one workflow that, when its stream breaks, subscribes again to the other query
 * process after the last cursor it received, checking n per run as events arrive.
 */
class Follower {
  readonly check = new NumberedRuns();
  reconnects = 0;
  private current: Subscription;
  private stopped = false;
  private lastCursor = '';

  constructor(readonly workflowId: string, private readonly clients: QueryServiceClient[], private target: number) {
    this.current = this.open({ workflowId, fromBeginning: true });
  }

  private open(request: { workflowId: string; fromBeginning?: boolean; afterCursor?: string }): Subscription {
    const { workflowId, ...start } = request;
    const subscription = subscribe(this.clients[this.target], { filter: { workflowId }, ...start }, { keep: false, onEvent: (event) => this.check.accept(event) });
    void subscription.ended.then(async () => {
      if (this.stopped) return;
      this.reconnects++;
      this.target = (this.target + 1) % this.clients.length;
      this.lastCursor = subscription.lastCursor() || this.lastCursor;
      // A pause, so that a follower facing the dead process and then the live one does not spin.
      await sleep(100);
      if (this.stopped) return;
      this.current = this.open(this.lastCursor ? { workflowId, afterCursor: this.lastCursor } : { workflowId, fromBeginning: true });
    });
    return subscription;
  }

  received(): number {
    return this.check.total;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.current.cancel();
  }
}

test(`scale-out: ${TOTAL_EVENTS} events through 3 NATS nodes (R3), 2 ingest, ${PARTITIONS} persisters, 2 query, while one of each fails`, { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-scale-'));
  t.after(() => removeDir(dir));
  const nats = await startNatsCluster(join(dir, 'nats'), 3);
  const services: RunningService[] = [];
  t.after(async () => {
    await Promise.all(services.map((s) => s.proc.stop(5000)));
    await nats.stop();
  });
  const dataDir = join(dir, 'data');
  const env = {
    RUNLOG_NATS_URL: nats.url,
    RUNLOG_PARTITIONS: String(PARTITIONS),
    RUNLOG_STREAM_REPLICAS: '3',
    RUNLOG_DATA_DIR: dataDir,
    RUNLOG_DRAIN_GRACE: '2s',
    RUNLOG_LOG_LEVEL: 'info',
  };
  const persisters: RunningService[] = [];
  const startPersister = async (p: number) => {
    const persister = await startServiceOnFreePort('persister', { ...env, RUNLOG_PARTITION: String(p) }, { label: `persister-${p}` });
    persisters[p] = persister;
    services.push(persister);
  };
  // The first creates the R3 stream; the rest find it.
  await startPersister(0);
  await Promise.all([1, 2, 3].map(startPersister));
  const [ingestA, ingestB, queryA, queryB] = await Promise.all([
    startServiceOnFreePort('ingest', env, { label: 'ingest-a' }),
    startServiceOnFreePort('ingest', env, { label: 'ingest-b' }),
    startServiceOnFreePort('query', env, { label: 'query-a' }),
    startServiceOnFreePort('query', env, { label: 'query-b' }),
  ]);
  services.push(ingestA, ingestB, queryA, queryB);
  const explain = () => services.map((s) => `--- ${s.proc.name}\n${s.proc.output().slice(-1500)}`).join('\n') + nats.nodes.map((n) => `--- nats-${n.index}\n${n.proc.output().slice(-1500)}`).join('\n');

  const nc = await connect({ servers: nats.url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('RUNLOG');
  assert.equal(info.config.num_replicas, 3);

  const ingestClients = [ingestClient(ingestA.address), ingestClient(ingestB.address)];
  const queryClients = [queryClient(queryA.address), queryClient(queryB.address)];
  t.after(() => [...ingestClients, ...queryClients].forEach((client) => client.close()));
  const followers = FOLLOWED.map((workflowId, i) => new Follower(workflowId, queryClients, i % 2));

  const writers = startWriters(ingestClients);
  let finished = false;
  void writers.done.then(() => (finished = true), () => (finished = true));
  const atAcked = async (fraction: number, what: string) => {
    await waitUntil(() => writers.acked(), (acked) => finished || acked >= fraction * TOTAL_EVENTS, { timeoutMs: 300_000, intervalMs: 20, what: `${fraction * 100}% acked`, explain });
    if (finished) await writers.done;
    assert.ok(!finished, `the writers finished before ${what}`);
    t.diagnostic(`${what} at ${writers.acked()} acked events`);
  };

  // The stream's leader: the node whose loss matters most.
  await atAcked(0.1, 'killing the stream leader');
  const leaderName = (await jsm.streams.info('RUNLOG')).cluster?.leader;
  const leader = nats.nodes.find((node) => `n${node.index}` === leaderName) ?? nats.nodes[0];
  await leader.proc.kill();
  const ackedAtNatsKill = writers.acked();
  await waitUntil(() => writers.acked(), (acked) => finished || acked >= ackedAtNatsKill + 0.05 * TOTAL_EVENTS, { timeoutMs: 120_000, intervalMs: 20, what: 'appends acked without the killed node', explain });
  await leader.restart();
  t.diagnostic(`nats n${leader.index} (leader) killed with -9 at ${ackedAtNatsKill} acked, restarted at ${writers.acked()}`);

  await atAcked(0.3, 'killing persister 1');
  await persisters[1].proc.kill();
  await atAcked(0.4, 'restarting persister 1');
  // Not awaited here: the load goes on while it starts, and catches up from its watermark.
  const persisterRestarted = startPersister(1);

  await atAcked(0.5, 'killing ingest a');
  await ingestA.proc.kill();

  await atAcked(0.65, 'killing query a');
  const onQueryA = followers.filter((_, i) => i % 2 === 0).length;
  await queryA.proc.kill();

  await writers.done;
  await persisterRestarted;
  t.diagnostic(`all ${TOTAL_EVENTS} events acked; ${writers.failovers} requests resent to the other ingest`);
  assert.ok(writers.failovers > 0, 'some requests were resent to the other ingest');

  // Every acked event stored exactly once, in per-run order, in its workflow's partition.
  await waitUntil(
    async () => {
      let sum = 0;
      for (let p = 0; p < PARTITIONS; p++) sum += Number((await checkRuns(dataDir, p)).reduce((s, run) => s + Number(run.events), 0));
      return sum;
    },
    (stored) => stored >= RUNS * EVENTS_PER_RUN,
    { timeoutMs: 180_000, intervalMs: 1000, what: 'every event in DuckDB', explain },
  );

  // Every follower got every event of its workflow exactly once, in per-run order, across its reconnect.
  const runsOf = (workflowId: string) => runIds(RUNS, WORKFLOWS).filter((run) => run.workflowId === workflowId);
  for (const follower of followers) {
    const want = runsOf(follower.workflowId).length * EVENTS_PER_RUN;
    await waitUntil(() => follower.received(), (received) => received >= want, { timeoutMs: 120_000, intervalMs: 100, what: `${follower.workflowId}'s ${want} events to its subscriber`, explain });
  }
  await Promise.all(followers.map((follower) => follower.close()));
  for (const follower of followers) {
    follower.check.assertComplete(runsOf(follower.workflowId).map((run) => ({ ...run, count: EVENTS_PER_RUN })));
  }
  const reconnected = followers.filter((follower) => follower.reconnects > 0).length;
  assert.ok(reconnected >= onQueryA, `the ${onQueryA} subscribers of the killed query process resumed on the other (${reconnected} reconnected)`);

  await Promise.all(persisters.map((persister) => persister.proc.stop(10_000)));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (let p = 0; p < PARTITIONS; p++) {
    for (const run of await checkRuns(dataDir, p)) {
      seen.add(run.run_id);
      if (partitionOf(run.workflow_id, PARTITIONS) !== p) problems.push(`${run.workflow_id} stored in partition ${p}`);
      if (Number(run.events) !== EVENTS_PER_RUN || Number(run.distinct_n) !== EVENTS_PER_RUN || run.out_of_place !== 0n) {
        problems.push(`${run.run_id}: ${run.events} rows, ${run.distinct_n} distinct (want ${EVENTS_PER_RUN}), ${run.out_of_place} out of order`);
      }
    }
  }
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} runs wrong`);
  assert.equal(seen.size, RUNS, 'every run stored');
});
