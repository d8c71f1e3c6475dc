// Every named series on each service's Prometheus /metrics after a short load, with values that fit the load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { append, appendError, appendStream } from './helpers/ingest-client.js';
import { queryLogs, listRuns, rpcError } from './helpers/query-client.js';
import { writeNumbered, waitUntilStored, type RunRef } from './helpers/numbered.js';
import { subscribe } from './helpers/subscription.js';
import { logEvent } from './helpers/events.js';
import { waitUntil } from './helpers/wait.js';
import type { ManagedProcess } from '../scripts/local-cluster.js';
import { METRIC } from '../services/common/instruments.js';

let rig: QueryCluster;

before(async () => {
  rig = await startQueryCluster({ queryEnv: { RUNLOG_SUBSCRIBER_MAX_STALL: '1s' } });
});

after(async () => {
  await rig?.stop();
});

/** The port from the service's "metrics listening" log line (it binds port 0 by default). */
async function metricsPort(process: ManagedProcess): Promise<number> {
  return waitUntil(
    () => {
      for (const line of process.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as { msg?: string; port?: number; level?: string; service?: string };
        if (record.msg === 'metrics listening' && typeof record.port === 'number') {
          assert.equal(record.level, 'info');
          assert.equal(typeof record.service, 'string');
          return record.port;
        }
      }
      return 0;
    },
    (port) => port > 0,
    { what: `${process.name} logging its metrics port` },
  );
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, read into series name → samples (enough of the format for the exporter's output). */
async function scrape(port: number): Promise<Map<string, Sample[]>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  const series = new Map<string, Sample[]>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    let samples = series.get(match[1]);
    if (!samples) series.set(match[1], (samples = []));
    samples.push({ labels, value: Number(match[3]) });
  }
  return series;
}

/** Sum of the series' samples whose labels include `labels`; undefined when the series is absent. */
function value(series: Map<string, Sample[]>, name: string, labels: Record<string, string> = {}): number | undefined {
  const samples = series.get(name)?.filter((sample) => Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected));
  if (!samples || samples.length === 0) return undefined;
  return samples.reduce((sum, sample) => sum + sample.value, 0);
}

const counter = (name: string) => `${name}_total`;

test('/metrics of ingest, persister and query serve every named series with values that fit a short load', { timeout: 180_000 }, async () => {
  const [ingestPort, persisterPort, queryPort] = await Promise.all([metricsPort(rig.cluster.ingest), metricsPort(rig.cluster.persisters[0]), metricsPort(rig.query.process)]);

  // The load: 2,000 records in 2 requests, a retried request, a refused one, reads, a live subscription and a slow one.
  const run: RunRef = { workflowId: 'metered', runId: 'r' };
  await writeNumbered(rig.ingest, { runs: [run], count: 2000, perRequest: 1000 });
  const retried = { requestId: 'retried-1', events: [logEvent('metered', 'r2', { message: 'once' })] };
  await append(rig.ingest, retried);
  assert.equal((await append(rig.ingest, retried)).duplicate, true);
  const refused = await appendError(rig.ingest, { events: [logEvent('', 'r', { message: 'no workflow id' })] });
  assert.equal(refused.code, grpc.status.INVALID_ARGUMENT);
  await waitUntilStored(rig.cluster, run);
  await queryLogs(rig.client, { filter: { workflowId: 'metered' }, pageSize: 100 });
  await listRuns(rig.client, { workflowId: 'metered' });
  assert.equal((await rpcError(queryLogs(rig.client, { filter: { workflowId: 'metered' }, pageToken: 'not-a-token' }))).code, grpc.status.INVALID_ARGUMENT);

  const live = subscribe(rig.client, { filter: { workflowId: 'metered' }, fromBeginning: true }, { keep: false });
  await live.waitForCount(2000);

  const ingest = await scrape(ingestPort);
  assert.equal(value(ingest, counter(METRIC.ingestRequests), { method: 'Append', outcome: 'ok' }), 3);
  assert.equal(value(ingest, counter(METRIC.ingestRequests), { method: 'Append', outcome: 'duplicate' }), 1);
  assert.equal(value(ingest, counter(METRIC.ingestRequests), { method: 'Append', outcome: 'invalid_argument' }), 1);
  assert.equal(value(ingest, counter(METRIC.ingestEvents), { outcome: 'ok' }), 2001);
  assert.equal(value(ingest, counter(METRIC.ingestEvents), { outcome: 'invalid_argument' }), 1);
  // Each numbered record is a few dozen bytes on the wire.
  const okBytes = value(ingest, counter(METRIC.ingestBytes), { outcome: 'ok' })!;
  assert.ok(okBytes > 2000 * 20 && okBytes < 2000 * 1000, `ingest bytes ${okBytes}`);
  assert.equal(value(ingest, counter(METRIC.rejectedRequests), { service: 'ingest', rpc: 'Append', reason: 'invalid_argument' }), 1);
  // One message per request (one workflow each); the duplicate is published and acked as such.
  assert.equal(value(ingest, `${METRIC.publishSeconds}_count`, { outcome: 'ok' }), 4);
  const publishSum = value(ingest, `${METRIC.publishSeconds}_sum`, { outcome: 'ok' })!;
  assert.ok(publishSum > 0 && publishSum < 4 * 30, `publish seconds ${publishSum}`);

  // The three stored messages (the duplicate is not stored) are committed: nothing is behind.
  const persister = await waitUntil(() => scrape(persisterPort), (series) => value(series, METRIC.persisterLag) === 0, { what: 'persister lag 0' });
  assert.equal(value(persister, METRIC.persisterWatermark, { partition: '0' }), 3);
  assert.equal(value(persister, counter(METRIC.persisterStoredEvents), { partition: '0' }), 2001);
  assert.equal(value(persister, `${METRIC.persisterBatchEvents}_sum`, { partition: '0' }), 2001);
  const batches = value(persister, `${METRIC.persisterBatchEvents}_count`, { partition: '0' })!;
  assert.ok(batches >= 1 && batches <= 3, `batches ${batches}`);
  assert.equal(value(persister, `${METRIC.persisterCommitSeconds}_count`, { partition: '0' }), batches);
  assert.ok(value(persister, `${METRIC.persisterCommitSeconds}_sum`, { partition: '0' })! > 0);
  assert.ok(persister.has(`${METRIC.persisterBatchEvents}_bucket`));

  let query = await scrape(queryPort);
  assert.equal(value(query, `${METRIC.queryRpcSeconds}_count`, { rpc: 'QueryLogs', code: 'ok' }), 1);
  assert.equal(value(query, `${METRIC.queryRpcSeconds}_count`, { rpc: 'QueryLogs', code: 'invalid_argument' }), 1);
  assert.equal(value(query, `${METRIC.queryRpcSeconds}_count`, { rpc: 'ListRuns', code: 'ok' }), 1);
  assert.equal(value(query, counter(METRIC.rejectedRequests), { service: 'query', rpc: 'QueryLogs', reason: 'invalid_argument' }), 1);
  assert.equal(value(query, METRIC.activeSubscriptions), 1);
  assert.equal(value(query, counter(METRIC.slowSubscriberCancellations)) ?? 0, 0);

  // A subscriber that stops reading while far more than the gRPC buffers hold arrives is cut off.
  live.pause();
  await writeNumbered(rig.ingest, { runs: [run], from: 2000, count: 20_000 });
  query = await waitUntil(() => scrape(queryPort), (series) => value(series, counter(METRIC.slowSubscriberCancellations)) === 1, {
    timeoutMs: 60_000,
    what: 'the slow subscriber counted',
  });
  live.resume();
  assert.equal((await live.ended).code, grpc.status.RESOURCE_EXHAUSTED);
  query = await scrape(queryPort);
  assert.equal(value(query, METRIC.activeSubscriptions), 0);
  assert.equal(value(query, counter(METRIC.rejectedRequests), { service: 'query', rpc: 'Subscribe', reason: 'resource_exhausted' }), 1);

  // Each request of an AppendStream counts as one.
  await appendStream(rig.ingest, [
    { requestId: 'streamed-1', events: [logEvent('streamed', 'r', { message: 'a' })] },
    { requestId: 'streamed-2', events: [logEvent('streamed', 'r', { message: 'b' }), logEvent('streamed', 'r', { message: 'c' })] },
  ]);
  const streamed = await scrape(ingestPort);
  assert.equal(value(streamed, counter(METRIC.ingestRequests), { method: 'AppendStream', outcome: 'ok' }), 2);
  assert.equal(value(streamed, counter(METRIC.ingestEvents), { outcome: 'ok' }), 2001 + 20_000 + 3);
});
