// One trace across the services: an agent's Append in ingest, its JetStream publish, the persister's batch that stored it, and a query that read it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from './helpers/otlp-collector.js';
import { logEvent } from './helpers/events.js';
import { waitUntil } from './helpers/wait.js';
import type { AppendRequest } from '../services/common/gen/runlog/v1/AppendRequest.js';
import type { AppendResponse__Output } from '../services/common/gen/runlog/v1/AppendResponse.js';
import type { QueryLogsRequest } from '../services/common/gen/runlog/v1/QueryLogsRequest.js';
import type { QueryLogsResponse__Output } from '../services/common/gen/runlog/v1/QueryLogsResponse.js';

let collector: OtlpCollector;
let rig: QueryCluster;

before(async () => {
  collector = await startOtlpCollector();
  rig = await startQueryCluster({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // Spans reach the collector within a tenth of a second instead of five.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    },
  });
});

after(async () => {
  await rig?.stop();
  await collector?.close();
});

/** The agent's own span: what its SDK would send as traceparent. */
function agentSpan(): { traceId: string; spanId: string; metadata: grpc.Metadata } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', `00-${traceId}-${spanId}-01`);
  return { traceId, spanId, metadata };
}

function appendWith(request: AppendRequest, metadata: grpc.Metadata): Promise<AppendResponse__Output> {
  return new Promise((resolve, reject) =>
    rig.ingest.Append(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response!))),
  );
}

function queryLogsWith(request: QueryLogsRequest, metadata: grpc.Metadata): Promise<QueryLogsResponse__Output> {
  return new Promise((resolve, reject) =>
    rig.client.QueryLogs(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response!))),
  );
}

function one(spans: CollectedSpan[], name: string): CollectedSpan {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `one ${name} span, got ${found.length}: ${JSON.stringify(spans.map((span) => span.name))}`);
  return found[0];
}

test('an Append, its publish, the batch that stored it and a query that read it share one trace', async () => {
  const agent = agentSpan();
  const agentLogSpan = randomBytes(8).toString('hex');
  const response = await appendWith(
    {
      requestId: 'traced-1',
      events: [logEvent('traced', 'run-1', { message: 'hello from a traced agent', traceId: agent.traceId, spanId: agentLogSpan })],
    },
    agent.metadata,
  );
  assert.equal(response.accepted, 1);

  const page = await waitUntil(
    () => queryLogsWith({ filter: { workflowId: 'traced' } }, agent.metadata),
    (answer) => answer.records.length === 1,
    { what: 'the record readable', explain: () => rig.cluster.output() },
  );
  // The agent's trace_id on the record is kept, so a log links to its trace.
  assert.equal(page.records[0].event?.log?.traceId, agent.traceId);
  assert.equal(page.records[0].event?.log?.spanId, agentLogSpan);

  const expected = ['runlog.ingest.Append', 'runlog.jetstream.publish', 'runlog.persister.batch', 'runlog.query.QueryLogs', 'runlog.persister.read'];
  const spans = await waitUntil(
    () => collector.spans().filter((span) => span.traceId === agent.traceId),
    (inTrace) => expected.every((name) => inTrace.some((span) => span.name === name)),
    { what: `spans ${expected.join(', ')} in the agent's trace`, explain: () => JSON.stringify(collector.spans().map((span) => [span.service, span.name, span.traceId])) },
  );

  const appendSpan = one(spans, 'runlog.ingest.Append');
  const publish = one(spans, 'runlog.jetstream.publish');
  const batch = one(spans, 'runlog.persister.batch');
  const queryLogs = spans.filter((span) => span.name === 'runlog.query.QueryLogs');
  const reads = spans.filter((span) => span.name === 'runlog.persister.read');

  assert.equal(appendSpan.service, 'runlog-ingest');
  assert.equal(appendSpan.parentSpanId, agent.spanId, 'the Append continues the agent span');
  assert.equal(publish.service, 'runlog-ingest');
  assert.equal(publish.parentSpanId, appendSpan.spanId, 'the publish is a child of the Append');
  assert.equal(publish.attributes['runlog.seq'], batch.attributes['runlog.first_seq']);
  assert.equal(batch.service, 'runlog-persister');
  assert.equal(batch.parentSpanId, publish.spanId, 'the batch continues the trace of the message it stored (from its traceparent header)');
  for (const query of queryLogs) {
    assert.equal(query.service, 'runlog-query');
    assert.equal(query.parentSpanId, agent.spanId);
  }
  for (const read of reads) {
    assert.equal(read.service, 'runlog-persister');
    assert.ok(queryLogs.some((query) => query.spanId === read.parentSpanId), 'each persister read is a child of a QueryLogs span');
  }
});

test('a batch of messages from several traces is the child of the first and links the others', async () => {
  const agents = [agentSpan(), agentSpan(), agentSpan()];
  // At once, so they may share a batch; whether they do or not, every message's trace reaches a batch.
  await Promise.all(agents.map((agent, i) => appendWith({ requestId: `linked-${i}`, events: [logEvent(`linked-${i}`, 'run-1', { message: 'x' })] }, agent.metadata)));
  const publishes = await waitUntil(
    () => agents.map((agent) => collector.spans().find((span) => span.traceId === agent.traceId && span.name === 'runlog.jetstream.publish')),
    (found) => found.every((span) => span !== undefined),
    { what: 'a publish span for every Append' },
  );
  await waitUntil(
    () => collector.spans().filter((span) => span.name === 'runlog.persister.batch'),
    (batches) =>
      publishes.every((publish) => batches.some((batch) => batch.parentSpanId === publish!.spanId || batch.links.some((link) => link.spanId === publish!.spanId && link.traceId === publish!.traceId))),
    { what: 'every publish the parent of a batch or linked from one' },
  );
});

test('metrics are exported over OTLP too when an endpoint is configured', async () => {
  const byService = await waitUntil(
    () => collector.metricNames(),
    (names) => names.get('runlog-ingest')?.has('runlog_ingest_requests') === true && names.get('runlog-persister')?.has('runlog_persister_batch_events') === true,
    { what: 'ingest and persister metrics at the collector' },
  );
  assert.ok(byService.get('runlog-ingest')!.has('runlog_jetstream_publish_seconds'));
});
