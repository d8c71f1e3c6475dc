// A subscriber that stops reading is cut off with RESOURCE_EXHAUSTED, the query service holding only a bounded part of what it missed, and a resume cursor that continues exactly; ending a Subscribe frees its JetStream consumer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { checkHealth } from '../scripts/local-cluster.js';
import { writeNumbered, type RunRef } from './helpers/numbered.js';
import type { QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { describeStatus, NumberedRuns, subscribe, subscriptionConsumers } from './helpers/subscription.js';
import { sleep, waitUntil } from './helpers/wait.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

const MAX_STALL = '2s';
// Stream messages a subscription buffers ahead of its client: the burst below is 80 of them.
const LIVE_BUFFER = 2;
// 20,000 events of ~4 KB in requests of 250, one stream message (~1 MB) each: ~80 MB in all.
const BURST = { count: 20_000, messageLength: 4000, perRequest: 250 };
// What the query service may grow by while it holds a stalled subscriber: its buffer (2 messages,
// ~2 MB), what gRPC holds and the decoding, with ample room for the garbage collector's own pace.
// A server that kept the burst for its client (a buffer of 80 messages or more does) grows by more.
const MAX_GROWTH_MIB = 48;
let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;
let nc: NatsConnection;
let jsm: JetStreamManager;

before(async () => {
  rig = await startQueryCluster({ queryEnv: { RUNLOG_SUBSCRIBER_MAX_STALL: MAX_STALL, RUNLOG_LIVE_BUFFER: String(LIVE_BUFFER) } });
  ({ ingest, client } = rig);
  nc = await natsConnect({ servers: rig.cluster.natsUrl });
  jsm = await jetstreamManager(nc);
});

after(async () => {
  await nc?.close();
  await rig?.stop();
});

const consumerCount = () => subscriptionConsumers(jsm);

/** Resident memory of the query service (Linux). */
function queryRssMiB(): number {
  const status = readFileSync(`/proc/${rig.query.process.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

test('a subscriber that stops reading gets RESOURCE_EXHAUSTED with runlog-resume-cursor, the query service holding only a bounded part of what it missed, and resuming with it continues exactly', { timeout: 180_000 }, async (t) => {
  const run: RunRef = { workflowId: 'slow-wf', runId: 'r' };
  const baseline = 0; // no subscription holds a consumer yet
  const total = 1000 + BURST.count;
  const checker = new NumberedRuns();
  const slow = subscribe(client, { filter: { workflowId: run.workflowId }, fromBeginning: true }, { keep: false, onEvent: (event) => checker.accept(event) });
  await writeNumbered(ingest, { runs: [run], count: 1000 });
  await slow.waitForCount(1000);
  await waitUntil(consumerCount, (count) => count === baseline + 1, { what: 'the live consumer of the subscription' });

  // The client stops reading while the burst arrives: far more than the buffers and the 64 KiB
  // HTTP/2 window hold, so the server's writes stall. The peak of its memory is sampled until it
  // lets go of the subscription.
  slow.pause();
  const rssBefore = queryRssMiB();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, queryRssMiB())), 50);
  try {
    await writeNumbered(ingest, { runs: [run], from: 1000, ...BURST });
    // The server gives up after RUNLOG_SUBSCRIBER_MAX_STALL and closes the subscription, consumer included.
    await waitUntil(consumerCount, (count) => count === baseline, { timeoutMs: 60_000, what: 'the stalled subscription closed by the server' });
  } finally {
    clearInterval(sampler);
  }
  rssPeak = Math.max(rssPeak, queryRssMiB());
  const growth = rssPeak - rssBefore;
  t.diagnostic(`query service RSS: ${rssBefore.toFixed(0)} MiB before the burst, at most ${rssPeak.toFixed(0)} MiB until the cut-off`);
  assert.ok(growth < MAX_GROWTH_MIB, `the query service grew by ${growth.toFixed(0)} MiB (bound ${MAX_GROWTH_MIB} MiB) holding a stalled subscriber`);
  assert.ok(await checkHealth(rig.query.address), 'the query service is not healthy');

  slow.resume();
  const status = await slow.ended;
  assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED, describeStatus(status));
  const [resumeCursor] = status.metadata.get('runlog-resume-cursor');
  assert.equal(typeof resumeCursor, 'string');
  // The trailer names the last event the server sent, and the client got every one of them.
  assert.equal(resumeCursor, slow.lastCursor());
  assert.ok(slow.received() < total, 'the subscriber was never cut off');
  t.diagnostic(`cut off after ${slow.received()} events`);

  const resumed = subscribe(client, { filter: { workflowId: run.workflowId }, afterCursor: String(resumeCursor) }, { keep: false, onEvent: (event) => checker.accept(event) });
  await resumed.waitForCount(total - slow.received(), 120_000, 'the rest after the resume cursor');
  await sleep(300);
  checker.assertComplete([{ ...run, count: total }]);
  await resumed.cancel();
  await waitUntil(consumerCount, (count) => count === baseline, { what: 'the resumed subscription consumer removed' });
});

test('cancelling a Subscribe removes its JetStream consumer from the server', { timeout: 60_000 }, async () => {
  const baseline = 0; // no subscription holds a consumer yet
  const onlyNew = subscribe(client, { filter: {} });
  const oneWorkflow = subscribe(client, { filter: { workflowId: 'cancel-wf' }, fromBeginning: true });
  await waitUntil(consumerCount, (count) => count === baseline + 2, { what: 'a live consumer for each subscription' });
  await onlyNew.cancel();
  await waitUntil(consumerCount, (count) => count === baseline + 1, { what: 'the first consumer removed' });
  await oneWorkflow.cancel();
  // Ordered consumers otherwise linger for their 5 minute inactivity threshold: only an explicit
  // delete brings the count back this soon.
  await waitUntil(consumerCount, (count) => count === baseline, { what: 'every subscription consumer removed' });
  assert.ok(await checkHealth(rig.query.address));
});
