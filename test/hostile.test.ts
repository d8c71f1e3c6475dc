// Reads with hostile ids and texts (`>`, `*`, `.`, spaces, `%`, `_`, unicode, SQL) return exactly what they name; bad reads get precise errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { logEvent, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { allLogs, allRuns, allWorkflows, getRun, queryLogs, listRuns, rpcError, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { subscribe } from './helpers/subscription.js';
import { sleep, waitUntil } from './helpers/wait.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;

// Ids that are NATS wildcards or separators, LIKE wildcards, SQL, escapes of each other and unicode:
// each must name itself and nothing else. `%41` is what escaping turns `A` into.
const WORKFLOWS = ['a', 'a.b', 'a.b.c', 'ab', 'a*', '*', '>', 'a.>', 'a b', '%', '%41', 'A', '_', 'a_b', 'axb', "' OR 1=1 --", 'ü/日本 ✓'];
const RUNS = ['r', '*', '>', '%', "r' OR '1'='1"];
const LOGS_PER_RUN = 3;
const EVENTS_PER_RUN = 1 + LOGS_PER_RUN + 1;

function runEvents(workflowId: string, runId: string): Event[] {
  return [
    { workflowId, runId, runStarted: { workflowName: `name of ${workflowId}`, tags: { 'k.*': workflowId, '%': runId } } },
    ...Array.from({ length: LOGS_PER_RUN }, (_, i) =>
      logEvent(workflowId, runId, { taskName: `task.${i % 2 === 0 ? '*' : '>'}`, message: `${workflowId} | ${runId} | ${i}`, attributes: { wf: workflowId, run: runId } }),
    ),
    { workflowId, runId, runStatus: { status: 'STATUS_RUNNING' } },
  ];
}

before(async () => {
  rig = await startQueryCluster({ partitions: 2 });
  ({ ingest, client } = rig);
  for (const workflowId of WORKFLOWS) await append(ingest, { events: RUNS.flatMap((runId) => runEvents(workflowId, runId)) });
  const total = WORKFLOWS.length * RUNS.length * LOGS_PER_RUN;
  await waitUntil(async () => (await allLogs(client, { filter: {}, pageSize: 1000 })).items.length, (n) => n === total, { what: `all ${total} logs stored` });
});

after(() => rig?.stop());

/** Every record is of this workflow (and run), and the attributes the agent sent agree. */
function assertOnly(records: { event: { workflowId: string; runId: string; log?: { attributes: Record<string, string> } | null } | null }[], workflowId: string, runId?: string): void {
  for (const record of records) {
    assert.equal(record.event?.workflowId, workflowId);
    if (runId !== undefined) assert.equal(record.event?.runId, runId);
    if (record.event?.log) assert.equal(record.event.log.attributes.wf, workflowId);
  }
}

test('QueryLogs by a hostile workflow or run id returns exactly its logs', async () => {
  for (const workflowId of WORKFLOWS) {
    const { items } = await allLogs(client, { filter: { workflowId }, pageSize: 7 });
    assert.equal(items.length, RUNS.length * LOGS_PER_RUN, `logs of ${workflowId}`);
    assertOnly(items, workflowId);
    for (const runId of RUNS) {
      const page = await queryLogs(client, { filter: { workflowId, runId }, pageSize: 100 });
      assert.deepEqual(page.records.map((record) => record.event?.log?.message), [0, 1, 2].map((i) => `${workflowId} | ${runId} | ${i}`));
      assertOnly(page.records, workflowId, runId);
    }
  }
  // Task names with wildcards name one task.
  const star = await queryLogs(client, { filter: { workflowId: 'a', runId: 'r', taskName: 'task.*' } });
  assert.deepEqual(star.records.map((record) => record.event?.log?.message), ['a | r | 0', 'a | r | 2']);
  // Ids that are not stored, however close, find nothing.
  for (const workflowId of ['a.', '.b', 'a.b.c.d', '**', '>>', 'a%', '%%', 'a__', "' OR 1=1"]) {
    assert.deepEqual((await queryLogs(client, { filter: { workflowId } })).records, [], workflowId);
  }
});

test('ListRuns, ListWorkflows and GetRun name exactly the hostile ids asked for', async () => {
  for (const workflowId of WORKFLOWS) {
    const runs = await allRuns(client, { workflowId, pageSize: 2 });
    assert.deepEqual(runs.map((run) => run.runId).sort(), [...RUNS].sort(), `runs of ${workflowId}`);
    assert.ok(runs.every((run) => run.workflowId === workflowId && run.workflowName === `name of ${workflowId}` && run.logCount === String(LOGS_PER_RUN)));
    // A tag key with wildcards, valued with the hostile id, matches only that workflow's runs.
    const tagged = await allRuns(client, { tags: { 'k.*': workflowId }, pageSize: 1000 });
    assert.deepEqual(tagged.map((run) => `${run.workflowId}/${run.runId}`).sort(), RUNS.map((runId) => `${workflowId}/${runId}`).sort());
    for (const runId of RUNS) {
      const { run } = await getRun(client, { workflowId, runId });
      assert.equal(run?.summary?.workflowId, workflowId);
      assert.equal(run?.summary?.runId, runId);
      assert.equal(run?.summary?.logCount, String(LOGS_PER_RUN));
      assert.deepEqual(run?.summary?.tags, { 'k.*': workflowId, '%': runId });
      assert.deepEqual(run?.timeline.map((entry) => entry.status), ['STATUS_RUNNING']);
    }
  }
  const workflows = await allWorkflows(client, 4);
  assert.deepEqual(workflows.map((workflow) => workflow.workflowId), [...WORKFLOWS].sort(compareUtf16));
  assert.ok(workflows.every((workflow) => workflow.runCount === String(RUNS.length) && workflow.workflowName === `name of ${workflow.workflowId}`));
  // The SQL-looking tag value matches as a value, not as SQL.
  assert.deepEqual(await allRuns(client, { tags: { '%': "r' OR '1'='1" }, workflowId: '%', pageSize: 1000 }).then((runs) => runs.map((run) => run.runId)), ["r' OR '1'='1"]);
  assert.deepEqual((await listRuns(client, { tags: { 'k.*': '%', '%': '%' } })).runs.map((run) => `${run.workflowId}/${run.runId}`), ['%/%']);
});

test('Subscribe by a hostile workflow or run id receives exactly its events', { timeout: 120_000 }, async () => {
  for (const workflowId of WORKFLOWS) {
    const whole = subscribe(client, { filter: { workflowId }, fromBeginning: true });
    const oneRun = subscribe(client, { filter: { workflowId, runId: '*' }, fromBeginning: true });
    await whole.waitForCount(RUNS.length * EVENTS_PER_RUN, 30_000, `events of ${workflowId}`);
    await oneRun.waitForCount(EVENTS_PER_RUN, 30_000, `events of ${workflowId}/*`);
    // A wider subscription would keep receiving: give it the chance before counting.
    await sleep(200);
    await whole.cancel();
    await oneRun.cancel();
    assert.equal(whole.events.length, RUNS.length * EVENTS_PER_RUN, workflowId);
    assertOnly(whole.events, workflowId);
    assert.equal(oneRun.events.length, EVENTS_PER_RUN, `${workflowId}/*`);
    assertOnly(oneRun.events, workflowId, '*');
  }
  // Live, too: a subscriber on '>' sees the new event of '>' and not those of its look-alikes.
  const live = subscribe(client, { filter: { workflowId: '>' } });
  let probes = 0;
  while (live.received() === 0) {
    await append(ingest, { events: ['a.>', 'a.b', '*', '>'].map((workflowId) => logEvent(workflowId, 'live', { message: `probe ${probes}`, attributes: { wf: workflowId } })) });
    probes++;
    await sleep(100);
    assert.ok(probes < 100, 'no live event arrived');
  }
  await sleep(300);
  await live.cancel();
  assertOnly(live.events, '>', 'live');
});

test('contains is literal text: % and _ match themselves, SQL is text', async () => {
  const workflowId = 'contains-wf';
  const messages = ['100% done', '100 percent done', 'a_b', 'axb', 'a%b', 'aXXb', '%', '_', "x' OR 1=1 --", 'Ünïcode ✓', 'back\\slash'];
  await append(ingest, { events: messages.map((message) => logEvent(workflowId, 'r', { message })) });
  await waitUntil(() => queryLogs(client, { filter: { workflowId } }), (page) => page.records.length === messages.length, { what: 'the messages stored' });
  const found = async (contains: string) => (await queryLogs(client, { filter: { workflowId }, contains })).records.map((record) => record.event?.log?.message);
  assert.deepEqual(await found('%'), ['100% done', 'a%b', '%']);
  assert.deepEqual(await found('_'), ['a_b', '_']);
  assert.deepEqual(await found('a_b'), ['a_b']);
  assert.deepEqual(await found('a%b'), ['a%b']);
  assert.deepEqual(await found('100%'), ['100% done']);
  assert.deepEqual(await found("' OR 1=1 --"), ["x' OR 1=1 --"]);
  assert.deepEqual(await found("' OR '1'='1"), []);
  assert.deepEqual(await found('ünïcode'), [], 'contains is case-sensitive');
  assert.deepEqual(await found('Ünïcode'), ['Ünïcode ✓']);
  assert.deepEqual(await found('\\'), ['back\\slash']);
  assert.deepEqual(await found('.*'), []);
});

test('an unknown run is NOT_FOUND; a run id without its workflow, or an id that is no id, is INVALID_ARGUMENT', async () => {
  for (const request of [{ workflowId: 'a', runId: 'nope' }, { workflowId: 'nope', runId: 'r' }, { workflowId: 'a', runId: 'r.' }, { workflowId: '*', runId: '>' + 'x' }]) {
    const error = await rpcError(getRun(client, request));
    assert.equal(error.code, grpc.status.NOT_FOUND, `${JSON.stringify(request)}: ${error.details}`);
  }
  const invalid = [{ workflowId: '', runId: 'r' }, { workflowId: 'a', runId: '' }, { workflowId: 'a\u0000b', runId: 'r' }, { workflowId: 'x'.repeat(257), runId: 'r' }];
  for (const request of invalid) {
    const error = await rpcError(getRun(client, request));
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${JSON.stringify(request).slice(0, 80)}: ${error.details}`);
  }
  const noWorkflow = await rpcError(queryLogs(client, { filter: { runId: 'r' } }));
  assert.equal(noWorkflow.code, grpc.status.INVALID_ARGUMENT, noWorkflow.details);
  const controlInFilter = await rpcError(queryLogs(client, { filter: { workflowId: 'a', taskName: 'bad\nname' } }));
  assert.equal(controlInFilter.code, grpc.status.INVALID_ARGUMENT, controlInFilter.details);
  const subscription = subscribe(client, { filter: { runId: 'r' }, fromBeginning: true });
  const status = await subscription.ended;
  assert.equal(status.code, grpc.status.INVALID_ARGUMENT, status.details);
  assert.equal(subscription.events.length, 0);
  const badCursor = await subscribe(client, { filter: { workflowId: 'a' }, afterCursor: 'not-a-cursor' }).ended;
  assert.equal(badCursor.code, grpc.status.INVALID_ARGUMENT, badCursor.details);
});

/** ListWorkflows orders ids as DuckDB compares VARCHARs: by bytes, which for these ids is UTF-16 order too. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
