// Subscribers through a nats-server restart: they stay open and carry on promptly, with no gap and no duplicate.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { numberedLog } from './helpers/events.js';
import { appendWithRetry } from './helpers/ingest-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { subscribe } from './helpers/subscription.js';

let setup: QueryCluster;

before(async () => {
  setup = await startQueryCluster({ partitions: 2 });
});

after(async () => {
  await setup?.stop();
});

const messages = (events: { event?: { log?: { message?: string } | null } | null }[]) => events.map((stored) => stored.event?.log?.message);

test('live subscriptions (one workflow, all workflows) survive a nats-server restart without gap or duplicate', async () => {
  const { cluster, ingest, client } = setup;
  const send = (n: number) => appendWithRetry(ingest, { requestId: `restart-${n}`, events: [numberedLog('wf-restart', 'run-1', n)] }, { timeoutMs: 15_000 });
  for (let n = 0; n < 5; n++) await send(n);
  const one = subscribe(client, { fromBeginning: true, filter: { workflowId: 'wf-restart' } });
  const all = subscribe(client, { fromBeginning: true });
  await Promise.all([one.waitForCount(5), all.waitForCount(5)]);

  await cluster.nats.stop();
  await cluster.startNats();
  for (let n = 5; n < 10; n++) await send(n);

  // The stream would otherwise wait out nats.js's 30 s consumer check; the handoff starts over at once.
  await Promise.all([one.waitForCount(10, 20_000), all.waitForCount(10, 20_000)]);
  const expected = Array.from({ length: 10 }, (_, n) => numberedLog('wf-restart', 'run-1', n).log?.message);
  assert.deepEqual(messages(one.events), expected);
  assert.deepEqual(messages(all.events), expected);
  await Promise.all([one.cancel(), all.cancel()]);
});
