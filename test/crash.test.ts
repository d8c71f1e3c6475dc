// Crashes on the write path lose nothing and duplicate nothing: persisters killed -9 twice and ingest killed -9 mid-stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCluster } from './helpers/cluster.js';
import { assertLoadStored, startLoad, waitForAcked, type LoadShape } from './helpers/load.js';
import { sleep } from './helpers/wait.js';

const PARTITIONS = 2;
// 200,000 log events of ~100 bytes over 500 runs in 50 workflows, from 4 agents sending 1,000 per request.
const SHAPE: LoadShape = { runs: 500, workflows: 50, eventsPerRun: 400, senders: 4, eventsPerRequest: 1000 };

const rig = useCluster({ partitions: PARTITIONS });

test('200,000 events through persister kill -9 (twice) and ingest kill -9: all stored once, in per-run order', { timeout: 480_000 }, async () => {
  const load = startLoad(rig.client, SHAPE, 'crash');
  load.done.catch(() => undefined); // awaited below; waitForAcked reports a failure early

  const t0 = Date.now();
  // The timeline on stderr: when a run fails, it shows where the crashes fell.
  const note = (what: string): void => void process.stderr.write(`[crash] ${((Date.now() - t0) / 1000).toFixed(1)}s ${what}: ${load.acked()} acked\n`);
  // Both partitions at once, while requests keep coming; they restart in the background while
  // the load goes on, so they come back to a backlog.
  const killPersisters = async (): Promise<{ restarted: Promise<void> }> => {
    await Promise.all(rig.cluster.persisters.map((persister) => persister.kill()));
    note('persisters killed');
    const restarted = Promise.all(Array.from({ length: PARTITIONS }, (_, p) => rig.cluster.startPersister(p))).then(() => note('persisters back'));
    restarted.catch(() => undefined); // awaited below
    return { restarted };
  };

  await waitForAcked(load, 0.1);
  const firstKill = await killPersisters();
  await waitForAcked(load, 0.25);
  await rig.cluster.ingest.kill();
  note('ingest killed');
  await sleep(200);
  await rig.cluster.startIngest();
  note('ingest back');
  await firstKill.restarted;
  await waitForAcked(load, 0.45);
  await (await killPersisters()).restarted;

  await load.done;
  note('all acked');
  assert.equal(load.acked(), SHAPE.runs * SHAPE.eventsPerRun);
  // The ingest kill broke calls in flight; they were retried.
  assert.ok(load.retries.failures.length > 0, 'no request had to be retried: the ingest kill missed the stream');

  await assertLoadStored(rig.cluster, SHAPE);
  note('all stored and checked');
});
