// runlog-admin repartition from P = 2 to P = 4: refused while the stream holds unstored events; then every workflow moved whole, nothing lost or doubled, the services run on with 4 partitions and answer for the old and new events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { partitionOf } from '../services/common/subjects.js';
import { numberedLog, runIds, type Event } from './helpers/events.js';
import { append, ingestClient } from './helpers/ingest-client.js';
import { checkRuns } from './helpers/load.js';
import { countAll } from './helpers/duckdb.js';
import { allLogs, queryClient } from './helpers/query-client.js';
import { NumberedRuns, subscribe } from './helpers/subscription.js';
import { waitUntil } from './helpers/wait.js';
import { removeDir, startNatsCluster, startServiceOnFreePort, type RunningService } from './helpers/multi-node.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = runIds(24, 12);
const BEFORE = 40; // events per run written with 2 partitions
const AFTER = 25; // and then with 4

function eventsFor(first: number, last: number): Event[] {
  const events: Event[] = [];
  for (let n = first; n < last; n++) for (const run of RUNS) events.push(numberedLog(run.workflowId, run.runId, n));
  return events;
}

function admin(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/runlog-admin.ts'), 'repartition', ...args], { cwd: REPO, encoding: 'utf8' });
}

test('repartition 2 → 4: whole workflows moved, nothing lost or doubled, served by 4 partitions afterwards', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-repartition-'));
  t.after(() => removeDir(dir));
  const nats = await startNatsCluster(join(dir, 'nats'), 1);
  const running = new Set<RunningService>();
  t.after(async () => {
    await Promise.all([...running].map((s) => s.proc.stop(5000)));
    await nats.stop();
  });
  const start = async (name: 'ingest' | 'persister' | 'query', env: Record<string, string>, label: string = name) => {
    const service = await startServiceOnFreePort(name, env, { label });
    running.add(service);
    return service;
  };
  const stop = async (...services: RunningService[]) => {
    await Promise.all(services.map((s) => s.proc.stop(10_000)));
    for (const s of services) running.delete(s);
  };
  const oldDir = join(dir, 'data-p2');
  const newDir = join(dir, 'data-p4');
  const envOf = (partitions: number, dataDir: string) => ({ RUNLOG_NATS_URL: nats.url, RUNLOG_PARTITIONS: String(partitions), RUNLOG_DATA_DIR: dataDir, RUNLOG_DRAIN_GRACE: '2s' });
  const adminArgs = ['--from-dir', oldDir, '--from', '2', '--to-dir', newDir, '--to', '4', '--nats', nats.url];

  // With 2 partitions: most events stored, the last request left in the stream, unstored.
  const old = envOf(2, oldDir);
  let persisters = await Promise.all([0, 1].map((p) => start('persister', { ...old, RUNLOG_PARTITION: String(p) }, `persister-${p}`)));
  let ingest = await start('ingest', old);
  let client = ingestClient(ingest.address);
  await append(client, { requestId: 'before-1', events: eventsFor(0, BEFORE - 5) });
  await waitUntil(() => countAll(oldDir, 2, 'SELECT count(*) FROM logs'), (n) => n === RUNS.length * (BEFORE - 5), { what: 'the first events stored' });
  await stop(...persisters);
  await append(client, { requestId: 'before-2', events: eventsFor(BEFORE - 5, BEFORE) });
  client.close();
  await stop(ingest);

  const refused = admin(adminArgs);
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /the stream holds its events up to/);

  persisters = await Promise.all([0, 1].map((p) => start('persister', { ...old, RUNLOG_PARTITION: String(p) }, `persister-${p}`)));
  await waitUntil(() => countAll(oldDir, 2, 'SELECT count(*) FROM logs'), (n) => n === RUNS.length * BEFORE, { what: 'every event stored' });
  await stop(...persisters);

  const moved = admin(adminArgs);
  assert.equal(moved.status, 0, moved.stderr);
  const result = JSON.parse(moved.stdout) as { watermark: number; workflows: number[] };
  assert.equal(result.workflows.reduce((a, b) => a + b, 0), 12, 'every workflow placed once');
  assert.equal(result.workflows.filter((n) => n > 0).length, 4, 'all 4 partitions got workflows');

  // With 4 partitions on the new files: more events, then queries over old and new ones.
  const next = envOf(4, newDir);
  persisters = await Promise.all([0, 1, 2, 3].map((p) => start('persister', { ...next, RUNLOG_PARTITION: String(p) }, `persister-${p}`)));
  ingest = await start('ingest', next);
  const query = await start('query', next);
  client = ingestClient(ingest.address);
  await append(client, { requestId: 'after-1', events: eventsFor(BEFORE, BEFORE + AFTER) });
  client.close();
  const total = RUNS.length * (BEFORE + AFTER);
  await waitUntil(() => countAll(newDir, 4, 'SELECT count(*) FROM logs'), (n) => n >= total, { what: 'the new events stored' });

  const reader = queryClient(query.address);
  t.after(() => reader.close());
  for (const workflowId of ['wf-0', 'wf-7']) {
    const runs = RUNS.filter((run) => run.workflowId === workflowId).map((run) => ({ ...run, count: BEFORE + AFTER }));
    const logs = new NumberedRuns();
    for (const record of (await allLogs(reader, { filter: { workflowId }, pageSize: 17 })).items) logs.accept(record);
    logs.assertComplete(runs);
    const live = new NumberedRuns();
    const subscription = subscribe(reader, { filter: { workflowId }, fromBeginning: true }, { keep: false, onEvent: (event) => live.accept(event) });
    await subscription.waitForCount(runs.length * (BEFORE + AFTER));
    await subscription.cancel();
    live.assertComplete(runs);
  }
  await stop(...persisters, ingest, query);

  const problems: string[] = [];
  for (let p = 0; p < 4; p++) {
    for (const run of await checkRuns(newDir, p)) {
      if (partitionOf(run.workflow_id, 4) !== p) problems.push(`${run.workflow_id} in partition ${p}`);
      if (Number(run.events) !== BEFORE + AFTER || Number(run.distinct_n) !== BEFORE + AFTER || run.out_of_place !== 0n) problems.push(`${run.run_id}: ${run.events} rows, ${run.distinct_n} distinct, ${run.out_of_place} out of order`);
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(await countAll(newDir, 4, 'SELECT count(*) FROM logs'), total);
  assert.equal(await countAll(oldDir, 2, 'SELECT count(*) FROM logs'), RUNS.length * BEFORE, 'the old files were only read');
});
