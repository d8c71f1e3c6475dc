// With 4 partitions: cross-workflow reads merge in the right order with the right paging; a partition that does not answer makes them UNAVAILABLE, never partial.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { partitionOf } from '../services/common/subjects.js';
import { logEvent, timestampOfMicros, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { writeNumbered } from './helpers/numbered.js';
import {
  allLogs, allRuns, allWorkflows, getRun, listRuns, listWorkflows, queryClient, queryLogs, rpcError,
  type QueryServiceClient, type StoredEvent__Output,
} from './helpers/query-client.js';
import { startQueryCluster, startQueryService, type QueryCluster, type QueryService } from './helpers/query-service.js';
import { describeStatus, NumberedRuns, subscribe } from './helpers/subscription.js';
import { sleep, waitUntil } from './helpers/wait.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

const PARTITIONS = 4;
const WORKFLOWS = Array.from({ length: 40 }, (_, i) => `pw-${String(i).padStart(2, '0')}`);
const RUNS = WORKFLOWS.flatMap((workflowId) => ['r1', 'r2'].map((runId) => ({ workflowId, runId })));
const APPENDS_PER_RUN = 1;
const LOGS_PER_APPEND = 25;
const LOGS_PER_RUN = APPENDS_PER_RUN * LOGS_PER_APPEND;
const TOTAL_LOGS = RUNS.length * LOGS_PER_RUN;
const T0 = 1_700_000_000_000_000n;

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;

// Start times: a permutation of the runs, two runs per second, so ties (across workflows and
// partitions) test the tie-break by workflow id, then run id.
const startSecond = (i: number) => Math.floor(((i * 37) % RUNS.length) / 2);

before(async () => {
  rig = await startQueryCluster({ partitions: PARTITIONS });
  ({ ingest, client } = rig);
  const covered = new Set(WORKFLOWS.map((workflowId) => partitionOf(workflowId, PARTITIONS)));
  assert.equal(covered.size, PARTITIONS, 'the workflows do not cover every partition');
  // Every run in one Append: their order in the store does not matter, their start times do.
  await append(ingest, {
    events: [...RUNS.entries()].flatMap(([i, run]): Event[] => [
      { ...run, runStarted: { workflowName: `name ${run.workflowId}`, tags: { parity: i % 2 === 0 ? 'even' : 'odd' }, time: timestampOfMicros(T0 + BigInt(startSecond(i)) * 1_000_000n) } },
      { ...run, runStatus: { status: i % 3 === 0 ? 'STATUS_COMPLETED' : 'STATUS_RUNNING' } },
    ]),
  });
  // Logs one Append (one message, one workflow) after the other: their store order is the order
  // sent, in whichever partition they land. `g` numbers them globally, `n` within their run.
  for (let k = 0; k < RUNS.length * APPENDS_PER_RUN; k++) {
    const run = RUNS[k % RUNS.length];
    const round = Math.floor(k / RUNS.length);
    const events: Event[] = Array.from({ length: LOGS_PER_APPEND }, (_, j) =>
      logEvent(run.workflowId, run.runId, { message: `g ${k * LOGS_PER_APPEND + j}`, attributes: { g: String(k * LOGS_PER_APPEND + j), n: String(round * LOGS_PER_APPEND + j) } }),
    );
    await append(ingest, { events });
  }
  await waitUntil(async () => (await allLogs(client, { filter: {}, pageSize: 1000 })).items.length, (n) => n === TOTAL_LOGS, { what: 'every log stored' });
});

after(() => rig?.stop());

const globals = (records: StoredEvent__Output[]) => records.map((record) => Number(record.event?.log?.attributes.g));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('QueryLogs over all workflows merges the partitions in store order, page after page, both ways', { timeout: 60_000 }, async () => {
  const ascending = await allLogs(client, { filter: {}, pageSize: 137 });
  assert.deepEqual(globals(ascending.items), range(TOTAL_LOGS));
  const descending = await allLogs(client, { filter: {}, pageSize: 137, order: 'ORDER_DESCENDING' });
  assert.deepEqual(globals(descending.items), range(TOTAL_LOGS).reverse());
  // A filter that keeps a few records of each partition, over pages that each hold less than a partition's share.
  const some = await allLogs(client, { filter: {}, contains: '7', pageSize: 10 });
  assert.deepEqual(globals(some.items), range(TOTAL_LOGS).filter((g) => String(g).includes('7')));
});

test('a QueryLogs record\'s cursor starts a subscription over all partitions right after that record', { timeout: 60_000 }, async () => {
  const page = await queryLogs(client, { filter: {}, pageSize: 1000 });
  const from = 700;
  assert.equal(page.records[from].event?.log?.attributes.g, String(from));
  const subscription = subscribe(client, { filter: { kinds: ['EVENT_KIND_LOG'] }, afterCursor: page.records[from].cursor });
  await subscription.waitForCount(TOTAL_LOGS - from - 1, 30_000);
  await sleep(300);
  await subscription.cancel();
  // Partitions interleave in a subscription; the set is what matters here, per-run order is checked below.
  assert.deepEqual(globals(subscription.events).sort((a, b) => a - b), range(TOTAL_LOGS).slice(from + 1));
});

test('ListRuns over all workflows: newest start first, ties by workflow then run, paged across partitions', { timeout: 60_000 }, async () => {
  const expected = RUNS.map((run, i) => ({ ...run, second: startSecond(i), i }))
    .sort((a, b) => b.second - a.second || (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0) || (a.runId < b.runId ? -1 : 1));
  const key = (run: { workflowId: string; runId: string }) => `${run.workflowId}/${run.runId}`;
  for (const pageSize of [7, 1000]) {
    const runs = await allRuns(client, { pageSize });
    assert.deepEqual(runs.map(key), expected.map(key), `page size ${pageSize}`);
  }
  const completed = await allRuns(client, { statuses: ['STATUS_COMPLETED'], pageSize: 3 });
  assert.deepEqual(completed.map(key), expected.filter((run) => run.i % 3 === 0).map(key));
  const even = await allRuns(client, { tags: { parity: 'even' }, pageSize: 5 });
  assert.deepEqual(even.map(key), expected.filter((run) => run.i % 2 === 0).map(key));
  const runs = await allRuns(client, { pageSize: 1000 });
  assert.ok(runs.every((run) => run.logCount === String(LOGS_PER_RUN)));
});

test('ListWorkflows over all partitions: ordered by id, paged', async () => {
  const workflows = await allWorkflows(client, 3);
  assert.deepEqual(workflows.map((workflow) => workflow.workflowId), WORKFLOWS);
  assert.ok(workflows.every((workflow) => workflow.runCount === '2' && workflow.workflowName === `name ${workflow.workflowId}`));
});

test('single-workflow QueryLogs, ListRuns, GetRun and Subscribe answer from the owning partition', { timeout: 60_000 }, async () => {
  for (const workflowId of WORKFLOWS.slice(0, 8)) {
    const { items } = await allLogs(client, { filter: { workflowId }, pageSize: 30 });
    const owned = range(TOTAL_LOGS).filter((g) => RUNS[Math.floor(g / LOGS_PER_APPEND) % RUNS.length].workflowId === workflowId);
    assert.deepEqual(globals(items), owned, workflowId);
    const runs = await listRuns(client, { workflowId });
    assert.deepEqual(runs.runs.map((run) => run.runId).sort(), ['r1', 'r2']);
    assert.equal((await getRun(client, { workflowId, runId: 'r2' })).run?.summary?.logCount, String(LOGS_PER_RUN));
    const subscription = subscribe(client, { filter: { workflowId, kinds: ['EVENT_KIND_LOG'] }, fromBeginning: true });
    await subscription.waitForCount(2 * LOGS_PER_RUN, 30_000, `logs of ${workflowId}`);
    await sleep(100);
    await subscription.cancel();
    assert.deepEqual(globals(subscription.events), owned);
  }
});

test('Subscribe over all workflows: every event once, per-run order, a vector cursor that resumes across partitions, then live', { timeout: 120_000 }, async () => {
  const checker = new NumberedRuns();
  const request = { filter: { kinds: ['EVENT_KIND_LOG' as const] } };
  const first = subscribe(client, { ...request, fromBeginning: true }, { keep: false, onEvent: (event) => checker.accept(event) });
  await first.waitForCount(TOTAL_LOGS / 2);
  const cursor = first.lastCursor();
  await first.cancel();
  const second = subscribe(client, { ...request, afterCursor: cursor }, { keep: false, onEvent: (event) => checker.accept(event) });
  await second.waitForCount(TOTAL_LOGS - checker.total, 60_000, 'the rest of the history');
  // Live: more logs for every run, in all partitions at once.
  await writeNumbered(ingest, { runs: RUNS, from: LOGS_PER_RUN, count: 10, senders: 4, perRequest: 100 });
  await waitUntil(() => checker.total, (n) => n >= TOTAL_LOGS + RUNS.length * 10, { timeoutMs: 60_000, what: 'the live logs' });
  await sleep(300);
  checker.assertComplete(RUNS.map((run) => ({ ...run, count: LOGS_PER_RUN + 10 })));
  await second.cancel();
});

// Last: it stops partitions' persisters.
test('a partition that does not answer makes every read that needs it UNAVAILABLE within the deadline; others still answer', { timeout: 180_000 }, async () => {
  // A query service of its own with a 1 s read timeout; the client allows far more, so an answer
  // that is not UNAVAILABLE in time shows as DEADLINE_EXCEEDED.
  const impatient: QueryService = await startQueryService(rig.cluster, { RUNLOG_READ_TIMEOUT: '1s' }, 'query-impatient');
  const quick = queryClient(impatient.address);
  const down = partitionOf(WORKFLOWS[0], PARTITIONS);
  const inDown = WORKFLOWS.find((workflowId) => partitionOf(workflowId, PARTITIONS) === down)!;
  const elsewhere = WORKFLOWS.find((workflowId) => partitionOf(workflowId, PARTITIONS) !== down)!;
  const DEADLINE = 15_000;
  // What the complete answers hold, asked while every partition is up.
  const elsewhereLogs = (await allLogs(client, { filter: { workflowId: elsewhere }, pageSize: 1000 })).items.length;
  const totalLogs = (await allLogs(client, { filter: {}, pageSize: 1000 })).items.length;

  const assertUnavailable = async (what: string) => {
    const calls: [string, Promise<unknown>][] = [
      ['QueryLogs all', queryLogs(quick, { filter: {} }, DEADLINE)],
      ['QueryLogs one workflow', queryLogs(quick, { filter: { workflowId: inDown } }, DEADLINE)],
      ['ListRuns all', listRuns(quick, {}, DEADLINE)],
      ['ListRuns one workflow', listRuns(quick, { workflowId: inDown }, DEADLINE)],
      ['ListWorkflows', listWorkflows(quick, {}, DEADLINE)],
      ['GetRun', getRun(quick, { workflowId: inDown, runId: 'r1' }, DEADLINE)],
    ];
    const errors = await Promise.all(calls.map(([, call]) => rpcError(call)));
    errors.forEach((error, i) => assert.equal(error.code, grpc.status.UNAVAILABLE, `${what}, ${calls[i][0]}: ${error.details}`));
    for (const request of [{ filter: {}, fromBeginning: true }, { filter: { workflowId: inDown }, fromBeginning: true }, { filter: {} }]) {
      const subscription = subscribe(quick, request, { deadlineMs: DEADLINE });
      const status = await subscription.ended;
      assert.equal(status.code, grpc.status.UNAVAILABLE, `${what}, Subscribe ${JSON.stringify(request)}: ${describeStatus(status)}`);
    }
  };
  const assertOthersAnswer = async () => {
    assert.equal((await queryLogs(quick, { filter: { workflowId: elsewhere }, pageSize: 1000 }, DEADLINE)).records.length, elsewhereLogs);
    assert.equal((await getRun(quick, { workflowId: elsewhere, runId: 'r1' }, DEADLINE)).run?.summary?.runId, 'r1');
    const subscription = subscribe(quick, { filter: { workflowId: elsewhere, kinds: ['EVENT_KIND_LOG'] }, fromBeginning: true }, { deadlineMs: DEADLINE });
    await subscription.waitForCount(elsewhereLogs, DEADLINE);
    await subscription.cancel();
  };

  try {
    // Frozen: the persister's subscription to its read subject stands, but nobody answers.
    const persister = rig.cluster.persisters[down];
    persister.child.kill('SIGSTOP');
    try {
      await assertUnavailable('frozen persister');
      await assertOthersAnswer();
    } finally {
      persister.child.kill('SIGCONT');
    }
    // Stopped: nobody listens on the read subject at all.
    await persister.stop();
    await assertUnavailable('stopped persister');
    await assertOthersAnswer();
    await rig.cluster.startPersister(down);
    // Back: complete answers again.
    assert.equal((await allLogs(quick, { filter: {}, pageSize: 1000 })).items.length, totalLogs);
    assert.equal((await allRuns(quick, { pageSize: 1000 })).length, RUNS.length);
  } finally {
    quick.close();
    await impatient.stop();
  }
});
