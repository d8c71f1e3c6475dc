// QueryLogs: an acked event is soon queryable, 50,000 logs page exactly once each way, stable pages while writing, bad paging is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { logEvent, timestampOfMicros } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { waitUntilStored, writeNumbered, type RunRef } from './helpers/numbered.js';
import { allLogs, queryLogs, rpcError, type QueryServiceClient, type StoredEvent__Output } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { waitUntil } from './helpers/wait.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;

before(async () => {
  rig = await startQueryCluster();
  ({ ingest, client } = rig);
});

after(() => rig?.stop());

const numbers = (records: StoredEvent__Output[]) => records.map((record) => Number(record.event?.log?.attributes.n));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('an event acked by Append is returned by QueryLogs within the flush interval plus a generous margin', { timeout: 120_000 }, async (t) => {
  // The persister flushes every 20 ms by default; 2 s leaves room for a loaded machine. The
  // benchmark measures the real figure.
  const run: RunRef = { workflowId: 'visible-wf', runId: 'r' };
  const waits: number[] = [];
  for (let i = 0; i < 20; i++) {
    await append(ingest, { events: [logEvent(run.workflowId, run.runId, { message: `visible ${i}` })] });
    const acked = Date.now();
    await waitUntil(
      () => queryLogs(client, { filter: run, contains: `visible ${i}` }),
      (page) => page.records.length === 1,
      { timeoutMs: 10_000, intervalMs: 5, what: `event ${i} in QueryLogs` },
    );
    waits.push(Date.now() - acked);
  }
  waits.sort((a, b) => a - b);
  t.diagnostic(`ack → queryable: median ${waits[10]} ms, max ${waits[19]} ms`);
  assert.ok(waits[19] <= 2000, `an acked event took ${waits[19]} ms to become queryable`);
});

const PAGED: RunRef = { workflowId: 'paging-wf', runId: 'r' };

test('50,000 logs of one run page through exactly once, ascending and descending, with page_size 1000', { timeout: 180_000 }, async () => {
  await writeNumbered(ingest, { runs: [PAGED], count: 50_000, perRequest: 1000 });
  // Noise in the same workflow and in another one, which the run filter must leave out.
  await writeNumbered(ingest, { runs: [{ ...PAGED, runId: 'other' }, { workflowId: 'paging-other-wf', runId: 'r' }], count: 500 });
  await waitUntilStored(rig.cluster, PAGED);
  const ascending = await allLogs(client, { filter: PAGED, pageSize: 1000 });
  assert.deepEqual(numbers(ascending.items), range(0, 50_000));
  assert.ok(ascending.items.every((record) => record.event?.runId === PAGED.runId && record.event.workflowId === PAGED.workflowId));

  const descending = await allLogs(client, { filter: PAGED, pageSize: 1000, order: 'ORDER_DESCENDING' });
  assert.deepEqual(numbers(descending.items), range(0, 50_000).reverse());

  // Every page is full but possibly the last.
  for (const { pageSizes } of [ascending, descending]) assert.ok(pageSizes.slice(0, -1).every((size) => size === 1000), `page sizes ${pageSizes}`);
});

test('page_size: 0 means 100, more than 1000 is capped at 1000, negative is INVALID_ARGUMENT', async () => {
  assert.equal((await queryLogs(client, { filter: PAGED })).records.length, 100);
  assert.equal((await queryLogs(client, { filter: PAGED, pageSize: 5000 })).records.length, 1000);
  const error = await rpcError(queryLogs(client, { filter: PAGED, pageSize: -1 }));
  assert.equal(error.code, grpc.status.INVALID_ARGUMENT, error.details);
});

test('a page_token used with other parameters, or not issued by the service, is INVALID_ARGUMENT', async () => {
  const first = await queryLogs(client, { filter: PAGED, pageSize: 10 });
  assert.ok(first.nextPageToken);
  const others = [
    { filter: { ...PAGED, runId: 'other' } },
    { filter: { workflowId: PAGED.workflowId } },
    { filter: {} },
    { filter: PAGED, order: 'ORDER_DESCENDING' as const },
    { filter: PAGED, contains: 'line' },
    { filter: PAGED, startTime: timestampOfMicros(1_000_000n) },
    { filter: { ...PAGED, minLevel: 'LOG_LEVEL_WARN' as const } },
  ];
  for (const request of others) {
    const error = await rpcError(queryLogs(client, { ...request, pageSize: 10, pageToken: first.nextPageToken }));
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${JSON.stringify(request)}: ${error.details}`);
  }
  const forged = [
    'garbage',
    '!!!not base64!!!',
    Buffer.from('{}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    Buffer.from(JSON.stringify({ after: [-1, 0], upTo: [1], request: 'x' })).toString('base64url'),
    first.nextPageToken.slice(0, -4),
  ];
  for (const pageToken of forged) {
    const error = await rpcError(queryLogs(client, { filter: PAGED, pageSize: 10, pageToken }));
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${pageToken}: ${error.details}`);
  }
  // The same parameters with the token still page on.
  const second = await queryLogs(client, { filter: PAGED, pageSize: 10, pageToken: first.nextPageToken });
  assert.deepEqual(numbers(second.records), range(10, 20));
});

test('pages stay a stable snapshot while new logs arrive between page requests', { timeout: 180_000 }, async () => {
  const run: RunRef = { workflowId: 'stable-wf', runId: 'r' };
  await writeNumbered(ingest, { runs: [run], count: 10_000 });
  await waitUntilStored(rig.cluster, run);
  let next = 10_000;
  // After each page, 500 more logs of the same run, stored before the next page is asked for.
  const appendMore = async () => {
    await writeNumbered(ingest, { runs: [run], from: next, count: 500 });
    next += 500;
    await waitUntilStored(rig.cluster, run);
  };
  const ascending = await allLogs(client, { filter: run, pageSize: 1000 }, appendMore);
  assert.deepEqual(numbers(ascending.items), range(0, 10_000));
  const snapshot = next;
  const descending = await allLogs(client, { filter: run, pageSize: 1000, order: 'ORDER_DESCENDING' }, appendMore);
  assert.deepEqual(numbers(descending.items), range(0, snapshot).reverse());
  // A new first page sees everything.
  const fresh = await allLogs(client, { filter: run, pageSize: 1000 });
  assert.deepEqual(numbers(fresh.items), range(0, next));
});

test('QueryLogs filters by time range, level, task and text', { timeout: 60_000 }, async () => {
  const wf = 'filters-wf';
  const T = 1_700_000_000_000_000n;
  const levels = ['LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR'] as const;
  const events = Array.from({ length: 40 }, (_, i) =>
    logEvent(wf, 'r', {
      taskName: i % 2 === 0 ? 'even' : 'odd',
      level: levels[i % 4],
      time: timestampOfMicros(T + BigInt(i) * 1_000_000n),
      message: `message ${i} ${i % 5 === 0 ? 'needle' : 'hay'}`,
      attributes: { n: String(i) },
    }),
  );
  await append(ingest, { events });
  const filter = { workflowId: wf, runId: 'r' };
  await waitUntil(() => queryLogs(client, { filter }), (page) => page.records.length === 40, { what: 'the 40 logs stored' });

  const ns = async (request: Parameters<typeof queryLogs>[1]) => numbers((await queryLogs(client, { pageSize: 1000, ...request })).records);
  const where = (keep: (i: number) => boolean) => range(0, 40).filter(keep);
  assert.deepEqual(await ns({ filter, startTime: timestampOfMicros(T + 10_000_000n), endTime: timestampOfMicros(T + 20_000_000n) }), range(10, 20));
  assert.deepEqual(await ns({ filter: { ...filter, minLevel: 'LOG_LEVEL_WARN' } }), where((i) => i % 4 >= 2));
  assert.deepEqual(await ns({ filter: { ...filter, taskName: 'odd' } }), where((i) => i % 2 === 1));
  assert.deepEqual(await ns({ filter, contains: 'needle' }), where((i) => i % 5 === 0));
  assert.deepEqual(await ns({ filter: { ...filter, taskName: 'odd', minLevel: 'LOG_LEVEL_ERROR' }, contains: 'hay' }), where((i) => i % 4 === 3 && i % 5 !== 0));
  const error = await rpcError(queryLogs(client, { filter, startTime: timestampOfMicros(T + 5n), endTime: timestampOfMicros(T) }));
  assert.equal(error.code, grpc.status.INVALID_ARGUMENT, error.details);
});
