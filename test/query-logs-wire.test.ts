// QueryLogs passes on the records the persister encoded: a page decodes to exactly the StoredEvents Subscribe sends for them (built field by field, encoded by grpc-js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { variedLogs } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { queryLogs, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { subscribe } from './helpers/subscription.js';
import { waitUntil } from './helpers/wait.js';
import { cursorJsonBuffer, encodeCursor, writeCursorJsonAt } from '../services/query/cursor.js';
import { createLogRecordsWire } from '../services/common/wire/log-page.js';
import { loadProtoRoot } from '../services/common/proto.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;

// One partition: a Subscribe cursor of one workflow is then the same position vector as a QueryLogs cursor.
before(async () => {
  rig = await startQueryCluster({ partitions: 1 });
  ({ ingest, client } = rig);
});

after(() => rig?.stop());

test('a QueryLogs page decodes to the StoredEvents Subscribe sends for the same records, both ways', { timeout: 60_000 }, async () => {
  const run = { workflowId: 'wire-wf', runId: 'r' };
  const count = 120;
  await append(ingest, { events: [{ ...run, runStatus: { status: 'STATUS_RUNNING' } }, ...variedLogs(run.workflowId, run.runId, count)] });
  // Noise in another run of the workflow, which the filter leaves out.
  await append(ingest, { events: variedLogs(run.workflowId, 'other', 5) });
  await waitUntil(() => queryLogs(client, { filter: run, pageSize: 1000 }), (page) => page.records.length === count, { what: `the ${count} logs stored` });

  const subscription = subscribe(client, { filter: { ...run, kinds: ['EVENT_KIND_LOG'] }, fromBeginning: true });
  await subscription.waitForCount(count);
  await subscription.cancel();
  const expected = subscription.events.slice(0, count);

  const ascending = await queryLogs(client, { filter: run, pageSize: 1000 });
  assert.deepEqual(ascending.records, expected);
  assert.equal(ascending.nextPageToken, '');
  const descending = await queryLogs(client, { filter: run, pageSize: 1000, order: 'ORDER_DESCENDING' });
  assert.deepEqual(descending.records, [...expected].reverse());

  // Pages of a few records carry the same records, and a token that continues where they stop.
  const first = await queryLogs(client, { filter: run, pageSize: 7 });
  assert.deepEqual(first.records, expected.slice(0, 7));
  const second = await queryLogs(client, { filter: run, pageSize: 7, pageToken: first.nextPageToken });
  assert.deepEqual(second.records, expected.slice(7, 14));
});

test('a QueryLogs cursor is written without building the cursor object, to the same text', () => {
  for (const partitions of [1, 2, 16]) {
    const json = cursorJsonBuffer(partitions);
    for (const position of [[0, 0], [7, 3], [1234567890, 10], [Number.MAX_SAFE_INTEGER, 2 ** 31 - 1]] as [number, number][]) {
      const length = writeCursorJsonAt(position, partitions, json);
      assert.equal(json.toString('base64url', 0, length), encodeCursor({ positions: Array.from({ length: partitions }, () => position) }));
    }
  }
});

test('a QueryLogsResponse carries each cursor as base64url of the bytes given, whatever their length', () => {
  const wire = createLogRecordsWire();
  const responseType = loadProtoRoot('runlog/v1/query.proto').lookupType('runlog.v1.QueryLogsResponse');
  const stored = wire.unframe(wire.framePage(variedLogs('w', 'r', 12).map((event, i) => wire.recordBytes({ seq: i + 1, idx: 0, ingestMicros: '1700000000000000', event }))));
  const bytesOf = (record: { seq: number }) => Buffer.from(Array.from({ length: record.seq - 1 }, (_, i) => (i * 37 + record.seq * 11) % 256));
  const response = wire.queryLogsResponse(stored, (record, into) => bytesOf(record).copy(into), Buffer.alloc(64), 'next');
  const decoded = responseType.toObject(responseType.decode(response)) as { records: { cursor?: string }[]; nextPageToken: string };
  assert.deepEqual(decoded.records.map((record) => record.cursor ?? ''), stored.map((record) => bytesOf(record).toString('base64url')));
  assert.equal(decoded.nextPageToken, 'next');
});
