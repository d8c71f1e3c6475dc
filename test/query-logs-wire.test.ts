// QueryLogs passes on the records the persister encoded: a page decodes to exactly the StoredEvents Subscribe sends for them (built field by field, encoded by grpc-js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { logEvent, timestampOfMicros, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { queryLogs, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { subscribe } from './helpers/subscription.js';
import { waitUntil } from './helpers/wait.js';
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

const LEVELS = ['LOG_LEVEL_TRACE', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR', 'LOG_LEVEL_FATAL'] as const;

/** Log records that set every field, in turn with empty ones, short and long text, and text beyond ASCII. */
function variedLogs(workflowId: string, runId: string, count: number): Event[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 9
      ? logEvent(workflowId, runId, { level: LEVELS[i % LEVELS.length] })
      : logEvent(workflowId, runId, {
          taskName: i % 3 === 0 ? '' : `task-${i % 4}`,
          taskInstanceId: i % 3 === 0 ? '' : `task-${i % 4}#${i}`,
          time: timestampOfMicros(1_700_000_000_000_000n + BigInt(i) * 1_234_567n),
          level: LEVELS[i % LEVELS.length],
          message: i % 2 === 0 ? `short ${i}` : `über ß 🎉 line ${i} `.padEnd(300 + i, 'x'),
          attributes: i % 4 === 0 ? {} : { n: String(i), 'schlüssel': 'wert ✓', empty: '' },
          traceId: i % 5 === 0 ? '' : '0123456789abcdef0123456789abcdef',
          spanId: i % 5 === 0 ? '' : '0123456789abcdef',
        }),
  );
}

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
