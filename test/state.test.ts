// StateService end to end (ingest → JetStream → persister → query): resume, fork of forks, validation, errors, audit, fork cost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';
import { partitionOf } from '../services/common/subjects.js';
import { decodeMissingNodes, MISSING_NODES_COUNT_TRAILER, MISSING_NODES_TRAILER, STATUS_DETAILS_TRAILER } from '../services/query/missing-nodes.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { queryPartition } from './helpers/duckdb.js';
import type { Event } from './helpers/events.js';
import { append, ingestClient } from './helpers/ingest-client.js';
import { getRun, queryClient, rpcError, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryService, type QueryService } from './helpers/query-service.js';
import { allSteps, stateCalls, stateClient, type StateCalls, type StateServiceClient } from './helpers/state-client.js';
import { runStarted, stateAt, stepEvent, stepEvents } from './helpers/state-events.js';
import { waitUntil } from './helpers/wait.js';

const WF = 'wf.state';
let cluster: Cluster;
let query: QueryService;
let ingest: IngestServiceClient;
let client: StateServiceClient;
let queries: QueryServiceClient;
let calls: StateCalls;

before(async () => {
  cluster = await startCluster();
  query = await startQueryService(cluster);
  ingest = ingestClient(cluster.ingestAddress);
  client = stateClient(query.address);
  queries = queryClient(query.address);
  calls = stateCalls(client);
});

after(async () => {
  ingest?.close();
  client?.close();
  queries?.close();
  await query?.stop();
  await cluster?.stop();
});

/** Appends in requests of at most 500 events: a 1,000-step run is two Append calls. */
async function write(events: Event[]): Promise<void> {
  for (let start = 0; start < events.length; start += 500) await append(ingest, { events: events.slice(start, start + 500) });
}

const ref = (runId: string) => ({ workflowId: WF, runId });

const TABLES = ['runs', 'run_status', 'steps', 'logs', 'task_status'];

/** Rows of the run in each table of the partition's DuckDB file (one copy of the file per call). */
async function rowCounts(runId: string): Promise<Record<string, number>> {
  const sql = TABLES.map((table) => `SELECT '${table}' AS name, count(*)::INTEGER AS n FROM ${table} WHERE run_id = '${runId}'`).join(' UNION ALL ');
  const rows = await queryPartition(cluster.dataDir, partitionOf(WF, 1), sql);
  return Object.fromEntries(TABLES.map((table) => [table, Number(rows.find((row) => row.name === table)?.n)]));
}

/** GetState at every step from 0 to `last`, a few calls at a time, checked against `expected`. */
async function checkEveryStep(runId: string, last: number, expected: (step: number) => { state: string; source: string }): Promise<void> {
  const steps = [...Array(last + 1).keys()];
  for (let start = 0; start < steps.length; start += 32) {
    await Promise.all(
      steps.slice(start, start + 32).map(async (step) => {
        const state = await calls.getState({ run: ref(runId), step });
        const want = expected(step);
        assert.equal(state.step, String(step));
        assert.equal(state.stateJson, want.state, `${runId} step ${step}`);
        assert.equal(state.sourceRunId, want.source, `${runId} step ${step} source`);
        assert.deepEqual(state.run, ref(runId));
      }),
    );
  }
}

describe('resume', () => {
  test('a 1,000-step run: Resume at every 100th step returns exactly the state written then', async () => {
    await write([runStarted(WF, 'long'), ...stepEvents(WF, 'long', 0, 999)]);
    const latest = await calls.resume({ run: ref('long'), nodeIds: ['node-0', 'node-1', 'node-2'] });
    assert.deepEqual([latest.state!.step, latest.state!.stateJson, latest.nextStep], ['999', stateAt('long', 999), '1000']);
    // Resuming an earlier step makes it the head, so each resume goes below the one before.
    for (let step = 900; step >= 0; step -= 100) {
      const resumed = await calls.resume({ run: ref('long'), resumeFrom: step, nodeIds: ['node-0', 'node-1', 'node-2'] });
      assert.equal(resumed.state!.stateJson, stateAt('long', step));
      assert.deepEqual([resumed.state!.step, resumed.nextStep, resumed.state!.nodeId], [String(step), String(step + 1), `node-${step % 3}`]);
      assert.equal((await calls.getState({ run: ref('long') })).stateJson, stateAt('long', step), 'the resumed step is now the latest');
    }
  });

  test('resuming an earlier step keeps the later steps for audit and makes the resumed timeline current', async () => {
    await write([runStarted(WF, 'audited'), ...stepEvents(WF, 'audited', 0, 9)]);
    const resumed = await calls.resume({ run: ref('audited'), resumeFrom: 5, nodeIds: ['node-0', 'node-1', 'node-2'] });
    assert.equal(resumed.nextStep, '6');
    assert.deepEqual((await allSteps(calls, ref('audited'))).map((step) => step.stateJson), [0, 1, 2, 3, 4, 5].map((step) => stateAt('audited', step)));
    assert.equal((await rpcError(calls.getState({ run: ref('audited'), step: 7 }))).code, grpc.status.OUT_OF_RANGE);
    // The engine continues from step 6 on the new timeline.
    await write(stepEvents(WF, 'audited', 6, 7, { timeline: 'b' }));
    const current = await allSteps(calls, ref('audited'));
    assert.deepEqual(current.map((step) => step.stateJson), [
      ...[0, 1, 2, 3, 4, 5].map((step) => stateAt('audited', step)),
      stateAt('audited', 6, 'b'),
      stateAt('audited', 7, 'b'),
    ]);
    // Insert-only: the 10 first rows, the resume marker and the 2 new steps are all stored.
    assert.equal((await rowCounts('audited')).steps, 13);
    const stored = await queryPartition(cluster.dataDir, 0, `SELECT step, state FROM steps WHERE run_id = 'audited' AND step IN (8, 9) ORDER BY step`);
    assert.deepEqual(stored.map((row) => row.state), [stateAt('audited', 8), stateAt('audited', 9)]);
  });

  test('validation: a missing node fails with the exact message and the full list; added nodes pass', async () => {
    await write([
      runStarted(WF, 'validated'),
      stepEvent(WF, 'validated', 0, { nodeId: 'start', processed: ['start'] }),
      stepEvent(WF, 'validated', 1, { nodeId: 'load', processed: ['start', 'load'], waiting: ['approve'] }),
      stepEvent(WF, 'validated', 2, { nodeId: 'train', processed: ['start', 'load', 'train'] }),
    ]);
    const error = await rpcError(calls.resume({ run: ref('validated'), nodeIds: ['start', 'train'] }));
    assert.equal(error.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(error.details, "Cannot resume: node 'load' is missing from the current workflow definition");
    assert.deepEqual(JSON.parse(String(error.metadata.get(MISSING_NODES_TRAILER)[0])), ['load', 'approve']);
    assert.equal(error.metadata.get(MISSING_NODES_COUNT_TRAILER)[0], '2');
    assert.deepEqual(decodeMissingNodes(error.metadata.get(STATUS_DETAILS_TRAILER)[0] as Buffer), ['load', 'approve']);
    // Only what was recorded at or before the step counts.
    const early = await calls.resume({ run: ref('validated'), resumeFrom: 0, nodeIds: ['start'] });
    assert.equal(early.state!.step, '0');
    // Nodes the definition added since are fine. (The resume at 0 made 0 the head: write the run again.)
    await write([stepEvent(WF, 'validated', 1, { nodeId: 'load', processed: ['start', 'load'], waiting: ['approve'] })]);
    const added = await calls.resume({ run: ref('validated'), nodeIds: ['start', 'load', 'approve', 'brand-new', 'another'] });
    assert.equal(added.state!.step, '1');
  });

  test('errors: unknown run, past the last step, no steps yet', async () => {
    assert.equal((await rpcError(calls.resume({ run: ref('nobody'), nodeIds: [] }))).code, grpc.status.NOT_FOUND);
    await write([runStarted(WF, 'short'), ...stepEvents(WF, 'short', 0, 3), runStarted(WF, 'stepless')]);
    const past = await rpcError(calls.resume({ run: ref('short'), resumeFrom: 4, nodeIds: [] }));
    assert.deepEqual([past.code, past.details], [grpc.status.OUT_OF_RANGE, "step 4 is past the last step (3) of run 'short'"]);
    assert.equal((await rpcError(calls.resume({ run: ref('stepless'), nodeIds: [] }))).code, grpc.status.NOT_FOUND);
    assert.equal((await rpcError(calls.resume({ run: { workflowId: WF, runId: '' }, nodeIds: [] }))).code, grpc.status.INVALID_ARGUMENT);
  });
});

describe('fork', () => {
  test('fork at 500, fork the fork at 700, new steps on each: every GetState at every step is right; the parent is unchanged', async () => {
    await write([runStarted(WF, 'parent'), ...stepEvents(WF, 'parent', 0, 999)]);
    const parentBefore = await allSteps(calls, ref('parent'));
    const first = await calls.fork({ run: ref('parent'), fromStep: 500, newRunId: 'fork-500' });
    assert.deepEqual(first.run, ref('fork-500'));
    assert.deepEqual([first.state!.step, first.state!.stateJson, first.state!.sourceRunId], ['500', stateAt('parent', 500), 'parent']);
    // Readable at once: the read waits for what the stream already holds.
    assert.equal((await calls.getState({ run: ref('fork-500') })).stateJson, stateAt('parent', 500));
    await write(stepEvents(WF, 'fork-500', 501, 800, { timeline: 'f1' }));
    const second = await calls.fork({ run: ref('fork-500'), fromStep: 700, newRunId: 'fork-700' });
    assert.equal(second.state!.stateJson, stateAt('fork-500', 700, 'f1'));
    await write([...stepEvents(WF, 'fork-700', 701, 900, { timeline: 'f2' }), ...stepEvents(WF, 'fork-500', 801, 850, { timeline: 'f1' })]);
    // The parent goes on too, and is even resumed below the fork step: forks keep what they forked from.
    await write(stepEvents(WF, 'parent', 1000, 1099));
    await checkEveryStep('parent', 1099, (step) => ({ state: stateAt('parent', step), source: 'parent' }));
    await checkEveryStep('fork-500', 850, (step) =>
      step <= 500 ? { state: stateAt('parent', step), source: 'parent' } : { state: stateAt('fork-500', step, 'f1'), source: 'fork-500' },
    );
    const forkOfFork = (step: number) =>
      step <= 500
        ? { state: stateAt('parent', step), source: 'parent' }
        : step <= 700
          ? { state: stateAt('fork-500', step, 'f1'), source: 'fork-500' }
          : { state: stateAt('fork-700', step, 'f2'), source: 'fork-700' };
    await checkEveryStep('fork-700', 900, forkOfFork);
    assert.equal((await rpcError(calls.getState({ run: ref('fork-700'), step: 901 }))).code, grpc.status.OUT_OF_RANGE);

    await calls.resume({ run: ref('parent'), resumeFrom: 300, nodeIds: ['node-0', 'node-1', 'node-2'] });
    assert.deepEqual((await allSteps(calls, ref('parent'))).slice(0, 301), parentBefore.slice(0, 301));
    // After the parent's resume the forks read the same, listed page by page this time.
    const listed = await allSteps(calls, ref('fork-700'), { pageSize: 128 });
    assert.deepEqual(listed.map((step) => [step.stateJson, step.sourceRunId]), [...Array(901).keys()].map((step) => [forkOfFork(step).state, forkOfFork(step).source]));

    const lineage = await calls.getLineage({ run: ref('fork-500') });
    assert.deepEqual(lineage.ancestors.map((node) => [node.runId, node.parentRunId]), [['parent', '']]);
    assert.deepEqual([lineage.run!.runId, lineage.run!.parentRunId, lineage.run!.forkStep, lineage.run!.status], ['fork-500', 'parent', '500', 'STATUS_PENDING']);
    assert.deepEqual(lineage.run!.forks.map((node) => [node.runId, node.forkStep, node.forks.length]), [['fork-700', '700', 0]]);
    const fromLeaf = await calls.getLineage({ run: ref('fork-700') });
    assert.deepEqual(fromLeaf.ancestors.map((node) => node.runId), ['fork-500', 'parent']);
  });

  test('a fork writes the same few rows whatever the parent length, and copies no step', async () => {
    await write([runStarted(WF, 'ten'), ...stepEvents(WF, 'ten', 0, 9), runStarted(WF, 'thousand'), ...stepEvents(WF, 'thousand', 0, 999)]);
    await calls.fork({ run: ref('ten'), fromStep: 9, newRunId: 'fork-of-ten' });
    await calls.fork({ run: ref('thousand'), fromStep: 999, newRunId: 'fork-of-thousand' });
    await calls.fork({ run: ref('thousand'), fromStep: 999, newRunId: 'patched-fork-of-thousand', statePatchJson: '{"note":"fixed"}' });
    // Reading the fork back makes sure the persister stored it before the file is copied.
    await calls.getState({ run: ref('patched-fork-of-thousand') });
    const expected = { runs: 1, run_status: 1, steps: 0, logs: 0, task_status: 0 };
    assert.deepEqual(await rowCounts('fork-of-ten'), expected);
    assert.deepEqual(await rowCounts('fork-of-thousand'), expected);
    assert.deepEqual(await rowCounts('patched-fork-of-thousand'), { ...expected, steps: 1 });
    assert.equal((await rowCounts('thousand')).steps, 1000, 'the parent is untouched');
  });

  test('a patched fork starts from the merge-patched state, with new parameters and tags', async () => {
    await write([runStarted(WF, 'to-patch'), ...stepEvents(WF, 'to-patch', 0, 20)]);
    const forked = await calls.fork({
      run: ref('to-patch'),
      fromStep: 10,
      newRunId: 'patched',
      statePatchJson: JSON.stringify({ counter: 1000, note: null, fix: { applied: true } }),
      tags: { reason: 'replay' },
      parameters: { fields: { size: { numberValue: 5 } } },
    });
    const expectedState = JSON.stringify({ ...JSON.parse(stateAt('to-patch', 10)), counter: 1000, note: undefined, fix: { applied: true } });
    assert.equal(forked.state!.stateJson, expectedState);
    assert.equal(forked.state!.sourceRunId, 'patched');
    const at10 = await calls.getState({ run: ref('patched'), step: 10 });
    assert.deepEqual([at10.stateJson, at10.sourceRunId], [expectedState, 'patched']);
    assert.equal((await calls.getState({ run: ref('patched'), step: 9 })).stateJson, stateAt('to-patch', 9));
    assert.equal((await calls.getState({ run: ref('to-patch'), step: 10 })).stateJson, stateAt('to-patch', 10), 'the parent keeps its state');
    const run = await waitUntil(() => getRun(queries, { workflowId: WF, runId: 'patched' }), () => true, { what: 'the fork in GetRun' });
    assert.deepEqual(run.run?.summary?.tags, { reason: 'replay' });
    assert.equal(run.run?.parameters?.fields.size.numberValue, 5);
  });

  test('a fork without a new run id gets one; inherited parameters and tags', async () => {
    await write([runStarted(WF, 'anonymous-parent'), ...stepEvents(WF, 'anonymous-parent', 0, 3)]);
    const forked = await calls.fork({ run: ref('anonymous-parent'), fromStep: 2 });
    assert.match(forked.run!.runId, /^[0-9a-f-]{36}$/);
    // GetRun does not wait for the persister as StateService reads do.
    const run = await waitUntil(() => getRun(queries, { workflowId: WF, runId: forked.run!.runId }), () => true, { what: 'the fork in GetRun' });
    assert.deepEqual(run.run?.summary?.tags, { team: 'qa' });
    assert.equal(run.run?.parameters?.fields.size.numberValue, 3);
    assert.equal(run.run?.summary?.status, 'STATUS_PENDING');
  });

  test('errors: ALREADY_EXISTS, OUT_OF_RANGE, NOT_FOUND, a bad patch, a patched state above the limit', async () => {
    await write([runStarted(WF, 'fork-errors'), ...stepEvents(WF, 'fork-errors', 0, 5), stepEvent(WF, 'taken', 0)]);
    const exists = await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 1, newRunId: 'taken' }));
    assert.equal(exists.code, grpc.status.ALREADY_EXISTS);
    await calls.fork({ run: ref('fork-errors'), fromStep: 1, newRunId: 'once' });
    assert.equal((await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 2, newRunId: 'once' }))).code, grpc.status.ALREADY_EXISTS);
    const past = await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 6, newRunId: 'never' }));
    assert.deepEqual([past.code, past.details], [grpc.status.OUT_OF_RANGE, "step 6 is past the last step (5) of run 'fork-errors'"]);
    assert.equal((await rpcError(calls.fork({ run: ref('nobody'), fromStep: 0 }))).code, grpc.status.NOT_FOUND);
    assert.equal((await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 1, statePatchJson: '{nope' }))).code, grpc.status.INVALID_ARGUMENT);
    const tooBig = await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 1, statePatchJson: JSON.stringify({ pad: 'x'.repeat(4 * 1024 * 1024) }) }));
    assert.equal(tooBig.code, grpc.status.INVALID_ARGUMENT);
    assert.match(tooBig.details, /more than the limit of 4194304 bytes per state \(RUNLOG_MAX_STATE_BYTES\)/);
    const badTag = await rpcError(calls.fork({ run: ref('fork-errors'), fromStep: 1, tags: { '': 'x' } }));
    assert.deepEqual([badTag.code, badTag.details.startsWith('tags')], [grpc.status.INVALID_ARGUMENT, true]);
    assert.equal((await rpcError(calls.getLineage({ run: ref('nobody') }))).code, grpc.status.NOT_FOUND);
    // Nothing of the refused forks was stored.
    assert.deepEqual(await rowCounts('never'), { runs: 0, run_status: 0, steps: 0, logs: 0, task_status: 0 });
  });
});

/** assert.equal of two large strings, without its diff (minutes for megabytes). */
function assertSameText(actual: string, expected: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(`${actual.length} characters instead of ${expected.length}; first difference at ${at}: ${JSON.stringify(actual.slice(at, at + 40))}`);
}

describe('reading states', () => {
  test('a 3.5 MiB state comes back byte for byte; listings page by size and may omit states', async () => {
    const big = JSON.stringify({ blob: 'ü€'.repeat(750_000), tail: 'end' });
    assert.ok(Buffer.byteLength(big) > 3.5 * 1024 * 1024);
    await write([runStarted(WF, 'big'), ...stepEvents(WF, 'big', 0, 2)]);
    await write([stepEvent(WF, 'big', 3, { state: big })]);
    await write(stepEvents(WF, 'big', 4, 5));
    // Compared without assert.equal: its diff of two 3.5 MiB strings would take minutes.
    assertSameText((await calls.getState({ run: ref('big'), step: 3 })).stateJson, big);
    const listed = await allSteps(calls, ref('big'));
    assert.deepEqual(listed.map((step) => step.step), ['0', '1', '2', '3', '4', '5']);
    assertSameText(listed[3].stateJson, big);
    const light = await calls.listSteps({ run: ref('big'), omitState: true });
    assert.deepEqual([light.steps.length, light.steps.every((step) => step.stateJson === ''), light.nextPageToken], [6, true, '']);
    const paged = await calls.listSteps({ run: ref('big'), pageSize: 2 });
    assert.deepEqual(paged.steps.map((step) => step.step), ['0', '1']);
    const next = await calls.listSteps({ run: ref('big'), pageSize: 2, pageToken: paged.nextPageToken });
    assert.deepEqual(next.steps.map((step) => step.step), ['2', '3']);
    assert.equal((await rpcError(calls.listSteps({ run: ref('audited'), pageToken: paged.nextPageToken }))).code, grpc.status.INVALID_ARGUMENT);
  });

  test('GetState errors: unknown run, past the head, bad step', async () => {
    assert.equal((await rpcError(calls.getState({ run: ref('nobody') }))).code, grpc.status.NOT_FOUND);
    assert.equal((await rpcError(calls.listSteps({ run: ref('nobody') }))).code, grpc.status.NOT_FOUND);
    await write([runStarted(WF, 'three'), ...stepEvents(WF, 'three', 0, 2)]);
    assert.equal((await rpcError(calls.getState({ run: ref('three'), step: 3 }))).code, grpc.status.OUT_OF_RANGE);
    assert.equal((await rpcError(calls.getState({ run: ref('three'), step: -1 }))).code, grpc.status.INVALID_ARGUMENT);
    assert.equal((await rpcError(calls.getState({ run: null }))).code, grpc.status.INVALID_ARGUMENT);
  });
});
