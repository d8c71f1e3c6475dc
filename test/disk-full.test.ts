// A full disk under the DuckDB files: the persister retries without acking or skipping, reports NOT_SERVING, and recovers by itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkHealth } from '../scripts/local-cluster.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { checkRuns } from './helpers/load.js';
import { numberedLog, type Event } from './helpers/events.js';
import { append, ingestClient } from './helpers/ingest-client.js';
import { waitUntil } from './helpers/wait.js';

// Small enough that the WAL of a few batches fills it, large enough for the empty store.
const SMALL_DISK = '12m';
const RUNS = 20;
const REQUESTS = 40;
const EVENTS_PER_REQUEST = 100;
// Random text does not compress: every byte lands in the WAL.
const MESSAGE_BYTES = 8 * 1024;

const mountPoint = join(tmpdir(), `runlog-disk-full-${process.pid}`);
let cluster: Cluster;

// Only root may mount the small tmpfs that fills up. CI runs as root, so there it always runs;
// elsewhere the test is skipped and says why, instead of failing in its setup.
const NEEDS_ROOT = process.getuid?.() === 0 ? false : 'needs root to mount a tmpfs: run as root (CI does)';

function mountTmpfs(size: string, remount = false): void {
  execFileSync('mount', remount ? ['-o', `remount,size=${size}`, mountPoint] : ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint]);
}

before(async () => {
  if (NEEDS_ROOT) return;
  mkdirSync(mountPoint, { recursive: true });
  mountTmpfs(SMALL_DISK);
  cluster = await startCluster({ dataDir: mountPoint });
});

after(async () => {
  if (NEEDS_ROOT) return;
  await cluster?.stop();
  execFileSync('umount', [mountPoint]);
});

function bigLog(run: number, n: number): Event {
  const event = numberedLog('wf-disk', `run-${run}`, n);
  event.log = { ...event.log, message: randomBytes(MESSAGE_BYTES / 2).toString('hex') };
  return event;
}

test('a full disk stops the writes, loses nothing, and the persister recovers by itself once there is room', { skip: NEEDS_ROOT }, async () => {
  const client = ingestClient(cluster.ingestAddress);
  const health = cluster.persisterHealthAddresses[0];
  let unhealthySeen = false;
  // Every request is acked: the stream (on another disk) holds what DuckDB cannot take yet.
  for (let request = 0; request < REQUESTS; request++) {
    const events: Event[] = [];
    for (let i = 0; i < EVENTS_PER_REQUEST; i++) {
      const n = request * (EVENTS_PER_REQUEST / RUNS) + Math.floor(i / RUNS);
      events.push(bigLog(i % RUNS, n));
    }
    const response = await append(client, { requestId: `disk-${request}`, events });
    assert.equal(response.accepted, EVENTS_PER_REQUEST);
    if (!(await checkHealth(health))) unhealthySeen = true;
  }
  await waitUntil(() => checkHealth(health), (healthy) => unhealthySeen || !healthy, { timeoutMs: 30_000, what: 'the persister reporting NOT_SERVING on a full disk', explain: () => cluster.output() });

  mountTmpfs('512m', true);
  await waitUntil(() => checkHealth(health), (healthy) => healthy, { timeoutMs: 30_000, what: 'the persister healthy again', explain: () => cluster.output() });
  const total = REQUESTS * EVENTS_PER_REQUEST;
  await waitUntil(
    async () => (await checkRuns(mountPoint, 0)).reduce((sum, run) => sum + Number(run.events), 0),
    (count) => count >= total,
    { timeoutMs: 60_000, intervalMs: 500, what: 'every acked event in DuckDB', explain: () => cluster.output() },
  );
  await cluster.stopPersisters();
  const runs = await checkRuns(mountPoint, 0);
  assert.equal(runs.length, RUNS);
  for (const run of runs) {
    assert.equal(run.events, BigInt(total / RUNS), `${run.run_id}: every event once`);
    assert.equal(run.distinct_n, BigInt(total / RUNS), `${run.run_id}: no duplicates`);
    assert.equal(run.out_of_place, 0n, `${run.run_id}: in order`);
  }
  assert.match(cluster.output(), /batch write failed; retrying/);
  client.close();
});
