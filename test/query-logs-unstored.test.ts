// QueryLogs of one workflow answers from the stream's unstored tail too: the records it returns before their commit are exactly those it returns after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { logEvent, variedLogs } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { waitUntilStored } from './helpers/numbered.js';
import { allLogs, queryLogs, type QueryServiceClient, type StoredEvent__Output } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { Subjects } from '../services/common/subjects.js';
import { PersisterClient } from '../services/query/persister-client.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';
import type { QueryLogsRequest } from '../services/common/gen/runlog/v1/QueryLogsRequest.js';

// The persister holds a partial batch this long: every record appended here stays unstored for seconds.
const FLUSH_INTERVAL = '4s';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;
let nc: NatsConnection;
let reader: PersisterClient;

before(async () => {
  rig = await startQueryCluster({ partitions: 2, env: { RUNLOG_FLUSH_INTERVAL: FLUSH_INTERVAL } });
  ({ ingest, client } = rig);
  nc = await connect({ servers: rig.cluster.natsUrl });
  reader = new PersisterClient(nc, new Subjects('runlog', 2), 'RUNLOG', 5000);
});

after(async () => {
  await nc?.close();
  await rig?.stop();
});

/** The records of every page after the one that gave `token`. */
async function pagesAfter(request: QueryLogsRequest, token: string): Promise<StoredEvent__Output[]> {
  const records: StoredEvent__Output[] = [];
  for (let next = token; next; ) {
    const page = await queryLogs(client, { ...request, pageToken: next });
    records.push(...page.records);
    next = page.nextPageToken;
  }
  return records;
}

/** One record, committed and queried: the query service then knows the partition's watermark and reads the tail above it. */
async function commitFirst(run: { workflowId: string; runId: string }): Promise<void> {
  await append(ingest, { events: [logEvent(run.workflowId, run.runId, { message: 'committed first' })] });
  await waitUntilStored(rig.cluster, run);
  await queryLogs(client, { filter: run });
}

/** Whether the persister owning the workflow has committed the workflow's latest message. */
async function stored(workflowId: string): Promise<boolean> {
  const latest = await reader.latestSeq(workflowId);
  return (await reader.ask(reader.partitionOf(workflowId), { op: 'watermark' })).result.watermark >= latest;
}

test('records acked but not yet committed are returned, as they are returned once stored', { timeout: 60_000 }, async () => {
  const run = { workflowId: 'unstored-wf', runId: 'r' };
  await commitFirst(run);

  await append(ingest, { events: variedLogs(run.workflowId, run.runId, 40) });
  await append(ingest, {
    events: [
      logEvent(run.workflowId, run.runId, { message: 'nanoseconds beyond DuckDB', time: { seconds: '1700000000', nanos: 123_456_789 } }),
      { ...run, runStatus: { status: 'STATUS_RUNNING' } },
      logEvent(run.workflowId, 'other', { message: 'another run' }),
      logEvent(run.workflowId, run.runId, { message: 'short, no time' }),
    ],
  });
  const requests: QueryLogsRequest[] = [
    { filter: run },
    { filter: run, order: 'ORDER_DESCENDING' },
    { filter: { workflowId: run.workflowId } },
    { filter: { ...run, minLevel: 'LOG_LEVEL_WARN' } },
    { filter: { ...run, taskName: 'task-1' } },
    { filter: run, contains: 'short' },
    { filter: run, contains: 'ß 🎉' },
    { filter: run, startTime: { seconds: '1700000000' }, endTime: { seconds: '1700000020' } },
    { filter: run, endTime: { seconds: '0' } },
  ];
  const before = await Promise.all(requests.map((request) => queryLogs(client, { pageSize: 1000, ...request })));
  const firstPage = await queryLogs(client, { filter: run, pageSize: 7 });
  assert.equal(await stored(run.workflowId), false, `stored within ${FLUSH_INTERVAL}: the answers above did not test the tail`);
  assert.equal(before[0].records.length, 1 + 40 + 2);
  assert.deepEqual(before[2].records.length, 1 + 40 + 3);

  await waitUntilStored(rig.cluster, run);
  const after = await Promise.all(requests.map((request) => queryLogs(client, { pageSize: 1000, ...request })));
  for (const [i, request] of requests.entries()) {
    assert.ok(after[i].records.length > 0, `nothing for ${JSON.stringify(request)}`);
    assert.deepEqual(before[i].records, after[i].records, `before and after the commit differ for ${JSON.stringify(request)}`);
  }
  // The first page's token continues from the persister, exactly after it, up to where the first page stopped.
  const rest = await pagesAfter({ filter: run, pageSize: 7 }, firstPage.nextPageToken);
  assert.deepEqual([...firstPage.records, ...rest], after[0].records);
});

test('a later page waits for its bound to be stored rather than skip the unstored records', { timeout: 60_000 }, async () => {
  const run = { workflowId: 'unstored-paging-wf', runId: 'r' };
  await commitFirst(run);
  await append(ingest, { events: variedLogs(run.workflowId, run.runId, 10) });
  const first = await queryLogs(client, { filter: run, pageSize: 4 });
  assert.equal(await stored(run.workflowId), false, `stored within ${FLUSH_INTERVAL}: the first page did not come from the tail`);
  // The persister waits a bounded time for its watermark (UNAVAILABLE, retry) and then answers from DuckDB.
  let rest: StoredEvent__Output[] | undefined;
  let refused = 0;
  while (!rest) {
    rest = await pagesAfter({ filter: run, pageSize: 4 }, first.nextPageToken).catch((error: Error) => {
      assert.match(error.message, /has not stored sequence \d+ yet; retry/);
      assert.ok(++refused < 10, 'the persister never stored the tail');
      return undefined;
    });
  }
  assert.equal(first.records.length + rest.length, 11);
  assert.deepEqual([...first.records, ...rest], (await allLogs(client, { filter: run, pageSize: 1000 })).items);
});
