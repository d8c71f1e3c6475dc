// nats-server stopped and killed mid-stream: ingest answers UNAVAILABLE meanwhile, everything recovers by itself, nothing acked is lost or doubled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { checkHealth } from '../scripts/local-cluster.js';
import { useCluster } from './helpers/cluster.js';
import { logEvent } from './helpers/events.js';
import { appendError } from './helpers/ingest-client.js';
import { assertLoadStored, startLoad, waitForAcked, type LoadShape } from './helpers/load.js';
import { sleep } from './helpers/wait.js';

const PARTITIONS = 2;
// 40,000 events over 100 runs from 2 agents, 500 per request.
const SHAPE: LoadShape = { runs: 100, workflows: 10, eventsPerRun: 400, senders: 2, eventsPerRequest: 500 };

  // A short publish timeout, so a call during the outage answers quickly instead of hanging.
const rig = useCluster({ partitions: PARTITIONS, env: { RUNLOG_PUBLISH_TIMEOUT: '1s' } });

test('nats-server stopped, then killed -9, mid-stream: UNAVAILABLE while down, recovery without restarts, every acked event once', { timeout: 300_000 }, async () => {
  const services = [rig.cluster.ingest, ...rig.cluster.persisters];
  const pids = services.map((service) => service.child.pid);
  const load = startLoad(rig.client, SHAPE, 'nats-restart');
  load.done.catch(() => undefined); // awaited below; waitForAcked reports a failure early

  const t0 = Date.now();
  // The timeline on stderr: when a run fails, it shows where the outages fell and how long recovery took.
  const note = (what: string): void => void process.stderr.write(`[nats-restart] ${((Date.now() - t0) / 1000).toFixed(1)}s ${what}: ${load.acked()} acked\n`);
  const outage = async (how: 'stop' | 'kill', probe: number) => {
    await (how === 'stop' ? rig.cluster.nats.stop() : rig.cluster.nats.kill());
    note(`nats-server ${how === 'stop' ? 'stopped' : 'killed'}`);
    // A request while NATS is down: the agent must be told to retry, not that its input is bad.
    const error = await appendError(rig.client, { requestId: `probe-${probe}`, events: [logEvent('probe-wf', `probe-${probe}`, { message: 'while down' })] });
    assert.equal(error.code, grpc.status.UNAVAILABLE, `${how}: ${error.details}`);
    await sleep(1000);
    await rig.cluster.startNats();
    note('nats-server back');
  };

  await waitForAcked(load, 0.2);
  await outage('stop', 1);
  // The load moves again by itself: ingest and the persisters reconnected.
  await waitForAcked(load, 0.5);
  await outage('kill', 2);

  await load.done;
  note('all acked');
  assert.equal(load.acked(), load.total);
  const codes = new Set(load.retries.failures);
  assert.ok(codes.size > 0, 'no request failed: the outages missed the stream');
  // Clients saw only "retry later" answers, never INTERNAL or INVALID_ARGUMENT.
  assert.deepEqual([...codes], [grpc.status.UNAVAILABLE], `failure codes seen: ${[...codes].join(', ')}`);

  // Nothing was restarted: the same processes, all still up and healthy.
  assert.deepEqual(services.map((service) => service.child.pid), pids);
  for (const service of services) assert.equal(service.child.exitCode, null, `${service.name} exited`);
  assert.equal(await checkHealth(rig.cluster.ingestAddress), true);

  await assertLoadStored(rig.cluster, SHAPE);
  note('all stored and checked');
});
