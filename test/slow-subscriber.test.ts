// A subscriber that stops reading is cut off with RESOURCE_EXHAUSTED and a resume cursor that continues exactly; ending a Subscribe frees its JetStream consumer.
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
let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;
let nc: NatsConnection;
let jsm: JetStreamManager;

before(async () => {
  rig = await startQueryCluster({ queryEnv: { RUNLOG_SUBSCRIBER_MAX_STALL: MAX_STALL } });
  ({ ingest, client } = rig);
  nc = await natsConnect({ servers: rig.cluster.natsUrl });
  jsm = await jetstreamManager(nc);
});

after(async () => {
  await nc?.close();
  await rig?.stop();
});

const consumerCount = () => subscriptionConsumers(jsm);

/** Resident memory of the query service, for the diagnostic line (Linux). */
function queryRssMiB(): number {
  const status = readFileSync(`/proc/${rig.query.process.child.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

test('a subscriber that stops reading gets RESOURCE_EXHAUSTED with runlog-resume-cursor, and resuming with it continues exactly', { timeout: 180_000 }, async (t) => {
  const run: RunRef = { workflowId: 'slow-wf', runId: 'r' };
  const baseline = 0; // no subscription holds a consumer yet
  const checker = new NumberedRuns();
  const slow = subscribe(client, { filter: { workflowId: run.workflowId }, fromBeginning: true }, { keep: false, onEvent: (event) => checker.accept(event) });
  await writeNumbered(ingest, { runs: [run], count: 1000 });
  await slow.waitForCount(1000);
  await waitUntil(consumerCount, (count) => count === baseline + 1, { what: 'the live consumer of the subscription' });

  // The client stops reading while 20,000 events (~5 MB as gRPC messages) arrive: far more than the
  // gRPC buffers and the 64 KiB HTTP/2 window hold, so the server's writes stall.
  slow.pause();
  const rssBefore = queryRssMiB();
  await writeNumbered(ingest, { runs: [run], from: 1000, count: 20_000 });
  // The server gives up after RUNLOG_SUBSCRIBER_MAX_STALL and closes the subscription, consumer included.
  await waitUntil(consumerCount, (count) => count === baseline, { timeoutMs: 60_000, what: 'the stalled subscription closed by the server' });
  t.diagnostic(`query service RSS: ${rssBefore} MiB before the burst, ${queryRssMiB()} MiB after the cut-off`);
  assert.ok(await checkHealth(rig.query.address), 'the query service is not healthy');

  slow.resume();
  const status = await slow.ended;
  assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED, describeStatus(status));
  const [resumeCursor] = status.metadata.get('runlog-resume-cursor');
  assert.equal(typeof resumeCursor, 'string');
  // The trailer names the last event the server sent, and the client got every one of them.
  assert.equal(resumeCursor, slow.lastCursor());
  assert.ok(slow.received() < 21_000, 'the subscriber was never cut off');
  t.diagnostic(`cut off after ${slow.received()} events`);

  const resumed = subscribe(client, { filter: { workflowId: run.workflowId }, afterCursor: String(resumeCursor) }, { keep: false, onEvent: (event) => checker.accept(event) });
  await resumed.waitForCount(21_000 - slow.received(), 120_000, 'the rest after the resume cursor');
  await sleep(300);
  checker.assertComplete([{ ...run, count: 21_000 }]);
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
