// GetRun returns a run in full (summary, timelines, tasks, definition, lineage); ListRuns filters by status, tag and start time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { logEvent, timestampOfMicros, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { allRuns, getRun, listRuns, listWorkflows, rpcError, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, type QueryCluster } from './helpers/query-service.js';
import { waitUntil } from './helpers/wait.js';
import { jsonToStruct, structToJson, type Json } from '../services/common/values.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';
import type { Status } from '../services/common/gen/runlog/v1/Status.js';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;

const WF = 'runs-wf';
// Agent clock readings with microseconds, to see none are lost on the way out.
const T0 = 1_700_000_000_123_456n;
const at = (seconds: number) => timestampOfMicros(T0 + BigInt(Math.round(seconds * 1_000_000)));
const PARAMETERS: { [key: string]: Json } = { learning_rate: 0.01, name: 'x', flags: [1, true, null, 'z'], nested: { a: { b: 'c' } } };
const CONFIG: { [key: string]: Json } = { executor: 'local', retries: 3 };
const NODES = ['extract', 'transform', 'load'];

const started = (runId: string, seconds: number, extra: Partial<NonNullable<Event['runStarted']>> = {}): Event => ({
  workflowId: WF,
  runId,
  runStarted: {
    workflowName: 'Nightly ETL', tags: { team: 'data', tier: runId === 'r1' ? 'gold' : 'silver' }, parameters: jsonToStruct(PARAMETERS),
    config: jsonToStruct(CONFIG), dagHash: 'sha256:abc', nodeIds: NODES, time: at(seconds), ...extra,
  },
});
const runStatus = (runId: string, status: Status, seconds: number, reason = ''): Event => ({ workflowId: WF, runId, runStatus: { status, time: at(seconds), reason } });
const taskStatus = (taskName: string, attempt: number, status: Status, seconds: number, reason = ''): Event => ({
  workflowId: WF, runId: 'r1', taskStatus: { taskName, taskInstanceId: `${taskName}#1`, attempt, status, time: at(seconds), reason },
});
const log = (level: 'LOG_LEVEL_DEBUG' | 'LOG_LEVEL_INFO' | 'LOG_LEVEL_WARN' | 'LOG_LEVEL_ERROR' | 'LOG_LEVEL_FATAL', seconds: number): Event =>
  logEvent(WF, 'r1', { level, time: at(seconds), message: level });

before(async () => {
  rig = await startQueryCluster();
  ({ ingest, client } = rig);
  await append(ingest, {
    events: [
      started('r1', 0),
      runStatus('r1', 'STATUS_PENDING', 1, 'queued'),
      runStatus('r1', 'STATUS_RUNNING', 2, 'picked up'),
      taskStatus('extract', 1, 'STATUS_RUNNING', 3),
      log('LOG_LEVEL_INFO', 3.1), log('LOG_LEVEL_DEBUG', 3.2),
      taskStatus('extract', 1, 'STATUS_COMPLETED', 4),
      taskStatus('transform', 1, 'STATUS_RUNNING', 5),
      log('LOG_LEVEL_WARN', 5.1), log('LOG_LEVEL_ERROR', 5.2),
      taskStatus('transform', 1, 'STATUS_FAILED', 6, 'out of memory'),
      taskStatus('transform', 2, 'STATUS_RUNNING', 7),
      log('LOG_LEVEL_INFO', 7.1), log('LOG_LEVEL_ERROR', 8), log('LOG_LEVEL_FATAL', 8.5),
      taskStatus('transform', 2, 'STATUS_FAILED', 9, 'out of memory again'),
      taskStatus('load', 1, 'STATUS_SKIPPED', 9.5, 'upstream failed'),
      { workflowId: WF, runId: 'r1', step: { step: '0', nodeId: 'extract', stateJson: '{"rows":3}', time: at(4) } },
      log('LOG_LEVEL_INFO', 9.9),
      runStatus('r1', 'STATUS_FAILED', 10, 'transform failed'),
      // An agent that resends RunStarted does not change the run's definition.
      started('r1', 11, { workflowName: 'resent', dagHash: 'sha256:other' }),
    ],
  });
  await append(ingest, {
    events: [
      started('r2', 20, { parentRunId: 'r1', forkStep: '2' }),
      runStatus('r2', 'STATUS_RUNNING', 21),
      started('r3', 30, { parentRunId: 'r1', forkStep: '1' }),
      runStatus('r3', 'STATUS_COMPLETED', 31),
      // A run known only from its status changes.
      runStatus('r4', 'STATUS_RUNNING', 40),
      runStatus('r4', 'STATUS_CANCELLED', 41, 'user'),
    ],
  });
  await waitUntil(() => getRun(client, { workflowId: WF, runId: 'r4' }), (answer) => answer.run?.summary?.status === 'STATUS_CANCELLED', { what: 'the last run stored' });
});

after(() => rig?.stop());

const entry = (status: Status, seconds: number, reason = '', attempt = 0) => ({ status, time: at(seconds), reason, attempt });

test('GetRun: summary, status timeline, tasks with attempts and timelines, parameters, config, definition and forks', async () => {
  const { run } = await getRun(client, { workflowId: WF, runId: 'r1' });
  assert.ok(run?.summary);
  assert.deepEqual(run.summary, {
    workflowId: WF, runId: 'r1', workflowName: 'Nightly ETL', status: 'STATUS_FAILED', startTime: at(0), endTime: at(10),
    tags: { team: 'data', tier: 'gold' }, parentRunId: '', logCount: '8', errorCount: '3',
  });
  assert.deepEqual(run.timeline, [entry('STATUS_PENDING', 1, 'queued'), entry('STATUS_RUNNING', 2, 'picked up'), entry('STATUS_FAILED', 10, 'transform failed')]);
  assert.deepEqual(run.tasks, [
    { taskName: 'extract', taskInstanceId: 'extract#1', status: 'STATUS_COMPLETED', attempt: 1, timeline: [entry('STATUS_RUNNING', 3, '', 1), entry('STATUS_COMPLETED', 4, '', 1)] },
    {
      taskName: 'transform', taskInstanceId: 'transform#1', status: 'STATUS_FAILED', attempt: 2,
      timeline: [entry('STATUS_RUNNING', 5, '', 1), entry('STATUS_FAILED', 6, 'out of memory', 1), entry('STATUS_RUNNING', 7, '', 2), entry('STATUS_FAILED', 9, 'out of memory again', 2)],
    },
    { taskName: 'load', taskInstanceId: 'load#1', status: 'STATUS_SKIPPED', attempt: 1, timeline: [entry('STATUS_SKIPPED', 9.5, 'upstream failed', 1)] },
  ]);
  assert.deepEqual(structToJson(run.parameters), PARAMETERS);
  assert.deepEqual(structToJson(run.config), CONFIG);
  assert.equal(run.dagHash, 'sha256:abc');
  assert.deepEqual(run.nodeIds, NODES);
  assert.equal(run.forkStep, '0');
  assert.deepEqual(run.forkRunIds, ['r2', 'r3']);
});

test('GetRun of a fork names its parent and fork step; a run still going has no end time', async () => {
  const { run } = await getRun(client, { workflowId: WF, runId: 'r2' });
  assert.equal(run?.summary?.parentRunId, 'r1');
  assert.equal(run?.forkStep, '2');
  assert.equal(run?.summary?.status, 'STATUS_RUNNING');
  assert.deepEqual(run?.summary?.startTime, at(20));
  assert.equal(run?.summary?.endTime, null);
  assert.deepEqual(run?.forkRunIds, []);
  assert.deepEqual(run?.tasks, []);
  assert.equal(run?.summary?.logCount, '0');
  const r3 = (await getRun(client, { workflowId: WF, runId: 'r3' })).run;
  assert.equal(r3?.forkStep, '1');
  assert.deepEqual(r3?.summary?.endTime, at(31));
});

test('GetRun of a run known only from status changes starts at its first status', async () => {
  const { run } = await getRun(client, { workflowId: WF, runId: 'r4' });
  assert.equal(run?.summary?.status, 'STATUS_CANCELLED');
  assert.deepEqual(run?.summary?.startTime, at(40));
  assert.deepEqual(run?.summary?.endTime, at(41));
  assert.deepEqual(run?.timeline, [entry('STATUS_RUNNING', 40), entry('STATUS_CANCELLED', 41, 'user')]);
  assert.equal(run?.parameters, null);
  assert.equal(run?.dagHash, '');
});

test('ListRuns filters by current status, tags and start time, newest first', async () => {
  const ids = async (request: Parameters<typeof allRuns>[1]) => (await allRuns(client, { workflowId: WF, pageSize: 1, ...request })).map((run) => run.runId);
  assert.deepEqual(await ids({ statuses: ['STATUS_FAILED'] }), ['r1']);
  assert.deepEqual(await ids({ statuses: ['STATUS_RUNNING', 'STATUS_COMPLETED'] }), ['r3', 'r2']);
  assert.deepEqual(await ids({ statuses: ['STATUS_PENDING'] }), []);
  assert.deepEqual(await ids({ tags: { tier: 'silver' } }), ['r3', 'r2']);
  assert.deepEqual(await ids({ tags: { tier: 'silver', team: 'data' } }), ['r3', 'r2']);
  assert.deepEqual(await ids({ tags: { tier: 'silver', team: 'other' } }), []);
  assert.deepEqual(await ids({ startTime: at(0), endTime: at(31) }), ['r3', 'r2', 'r1']);
  assert.deepEqual(await ids({ startTime: at(20), endTime: at(30) }), ['r2']);
  const [summary] = await allRuns(client, { workflowId: WF, statuses: ['STATUS_FAILED'] });
  assert.equal(summary.logCount, '8');
  assert.equal(summary.errorCount, '3');
  assert.deepEqual(summary.startTime, at(0));
  assert.deepEqual(summary.endTime, at(10));
  assert.equal(summary.workflowName, 'Nightly ETL');
});

test('ListRuns and ListWorkflows count a run known only from its status changes, as GetRun does', async () => {
  const ids = async (request: Parameters<typeof allRuns>[1]) => (await allRuns(client, { workflowId: WF, ...request })).map((run) => run.runId);
  assert.deepEqual(await ids({ statuses: ['STATUS_CANCELLED'] }), ['r4']);
  assert.deepEqual(await ids({}), ['r4', 'r3', 'r2', 'r1']);
  const { workflows } = await listWorkflows(client, {});
  assert.equal(workflows[0]?.runCount, '4');
});

// r4, known only from its statuses, starts at its first status (40): the latest start.
test('ListWorkflows: the name of the latest RunStarted and the latest start', async () => {
  const { workflows } = await listWorkflows(client, {});
  assert.deepEqual(workflows.map(({ workflowId, workflowName, lastRunTime }) => ({ workflowId, workflowName, lastRunTime })), [
    { workflowId: WF, workflowName: 'Nightly ETL', lastRunTime: at(40) },
  ]);
});

test('ListRuns and ListWorkflows refuse a page token of other parameters, a forged one, a negative page size and an unknown status', async () => {
  const first = await listRuns(client, { workflowId: WF, pageSize: 1 });
  assert.ok(first.nextPageToken);
  const bad: [string, Promise<unknown>][] = [
    ['token with another status filter', listRuns(client, { workflowId: WF, pageSize: 1, statuses: ['STATUS_RUNNING'], pageToken: first.nextPageToken })],
    ['token with another workflow', listRuns(client, { workflowId: 'other', pageSize: 1, pageToken: first.nextPageToken })],
    ['token with tags added', listRuns(client, { workflowId: WF, pageSize: 1, tags: { team: 'data' }, pageToken: first.nextPageToken })],
    ['ListRuns token in ListWorkflows', listWorkflows(client, { pageToken: first.nextPageToken })],
    ['forged ListRuns token', listRuns(client, { workflowId: WF, pageToken: 'garbage' })],
    ['forged ListWorkflows token', listWorkflows(client, { pageToken: Buffer.from('{"after":1}').toString('base64url') })],
    ['negative ListRuns page size', listRuns(client, { pageSize: -5 })],
    ['negative ListWorkflows page size', listWorkflows(client, { pageSize: -1 })],
    ['unspecified status', listRuns(client, { statuses: ['STATUS_UNSPECIFIED'] })],
  ];
  const errors = await Promise.all(bad.map(([, call]) => rpcError(call)));
  errors.forEach((error, i) => assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${bad[i][0]}: ${error.details}`));
  // The token with its own parameters pages on.
  const second = await listRuns(client, { workflowId: WF, pageSize: 1, pageToken: first.nextPageToken });
  assert.equal(second.runs.length, 1);
  assert.notEqual(second.runs[0].runId, first.runs[0].runId);
});
