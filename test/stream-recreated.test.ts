// A stream re-created under an existing DuckDB store: the persister moves it past its watermark, so new events are not skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { useCluster } from './helpers/cluster.js';
import { countAll } from './helpers/duckdb.js';
import { numberedLog } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { waitUntil } from './helpers/wait.js';

const setup = useCluster();
const LOGS = `SELECT count(*) FROM logs WHERE workflow_id = 'wf-recreated'`;
const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => numberedLog('wf-recreated', 'run-1', from + i));

test('events appended after the stream was deleted and re-created are stored, none skipped', async () => {
  const { cluster, client } = setup;
  await append(client, { requestId: 'before-1', events: batch(0, 50) });
  await append(client, { requestId: 'before-2', events: batch(50, 50) });
  await waitUntil(() => countAll(cluster.dataDir, 1, LOGS), (count) => count === 100, { what: 'the first events stored' });

  await cluster.stopPersisters();
  const nc = await connect({ servers: cluster.natsUrl });
  try {
    await (await jetstreamManager(nc)).streams.delete('RUNLOG');
  } finally {
    await nc.close();
  }
  // The persister re-creates the (empty) stream, finds it behind its watermark and moves it on.
  await cluster.startPersister(0);
  await append(client, { requestId: 'after-1', events: batch(100, 20) });
  await waitUntil(() => countAll(cluster.dataDir, 1, LOGS), (count) => count === 120, { what: 'the new events stored', explain: () => cluster.output() });
  await cluster.stopPersisters();
  assert.equal(await countAll(cluster.dataDir, 1, LOGS), 120);
  assert.match(cluster.output(), /moved its next sequence past the watermark/);
});
