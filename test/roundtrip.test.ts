// Every event kind goes through gRPC Append and comes out of DuckDB field by field, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf } from '../services/common/subjects.js';
import { jsonToStruct, type Json } from '../services/common/values.js';
import { useCluster } from './helpers/cluster.js';
import { queryPartition, mapToObject, type Row } from './helpers/duckdb.js';
import { logEvent, timestampOfMicros, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import { waitUntil } from './helpers/wait.js';

const PARTITIONS = 2;
const rig = useCluster({ partitions: PARTITIONS });

/** Rows of `sql` from the partition that owns `workflowId`, once `ready` holds for them. */
function rowsOf(workflowId: string, sql: string, ready: (rows: Row[]) => boolean): Promise<Row[]> {
  return waitUntil(() => queryPartition(rig.cluster.dataDir, partitionOf(workflowId, PARTITIONS), sql), ready, { what: sql });
}

/** A table's rows of one workflow in stream order, times as epoch microseconds (a JS Date would drop them). */
function tableRows(workflowId: string, table: string): Promise<Row[]> {
  return queryPartition(
    rig.cluster.dataDir,
    partitionOf(workflowId, PARTITIONS),
    `SELECT * EXCLUDE (time, ingest_time), epoch_us(time) AS time_us, epoch_us(ingest_time) AS ingest_us
     FROM ${table} WHERE workflow_id = '${workflowId}' ORDER BY seq, idx`,
  );
}

// Agent clock readings with microseconds, to see that none are lost.
const T = (offsetMicros: number) => 1_700_000_000_123_456n + BigInt(offsetMicros);

test('every event kind is stored field by field', async () => {
  const wf = 'roundtrip.wf';
  const parameters: { [key: string]: Json } = { learning_rate: 0.01, name: 'x', flags: [1, true, null, 'z'], nested: { a: { b: 'c' } } };
  const config: { [key: string]: Json } = { executor: 'local', retries: 3 };
  const events: Event[] = [
    {
      workflowId: wf,
      runId: 'r1',
      runStarted: {
        workflowName: 'Nightly ETL',
        tags: { team: 'data', 'env.tier': 'prod', 'ü': 'ß' },
        parameters: jsonToStruct(parameters),
        config: jsonToStruct(config),
        dagHash: 'sha256:abc',
        nodeIds: ['extract', 'transform', 'load'],
        parentRunId: 'r0',
        forkStep: '4',
        time: timestampOfMicros(T(0)),
      },
    },
    logEvent(wf, 'r1', {
      taskName: 'extract',
      taskInstanceId: 'extract#2',
      time: timestampOfMicros(T(1)),
      level: 'LOG_LEVEL_WARN',
      message: 'rows skipped: 3 — ünïcödé ✓',
      attributes: { rows: '3', 'source.table': 'orders' },
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    }),
    { workflowId: wf, runId: 'r1', runStatus: { status: 'STATUS_RUNNING', time: timestampOfMicros(T(2)), reason: 'scheduled' } },
    {
      workflowId: wf,
      runId: 'r1',
      taskStatus: { taskName: 'extract', taskInstanceId: 'extract#2', attempt: 2, status: 'STATUS_SKIPPED', time: timestampOfMicros(T(3)), reason: 'no new data' },
    },
    {
      workflowId: wf,
      runId: 'r1',
      step: {
        step: '3',
        nodeId: 'transform',
        stateJson: '{"rows":[1,2,3],"cursor":{"page":7},"done":false}',
        awaitingInput: true,
        nextNodeIds: ['load', 'report'],
        processedNodeIds: ['extract', 'transform'],
        waitingNodeIds: ['approve'],
        time: timestampOfMicros(T(4)),
      },
    },
    // Without a time: each gets the ingest time.
    { workflowId: wf, runId: 'r1', runStatus: { status: 'STATUS_COMPLETED' } },
    { workflowId: wf, runId: 'r1', taskStatus: { taskName: 'extract', taskInstanceId: 'extract#2', attempt: 3, status: 'STATUS_COMPLETED' } },
    { workflowId: wf, runId: 'r1', step: { step: '4', nodeId: 'load' } },
    logEvent(wf, 'r1', { message: 'no time given' }),
    { workflowId: wf, runId: 'r2', runStarted: { workflowName: 'Nightly ETL' } },
  ];
  const sentAt = BigInt(Date.now()) * 1000n;
  const response = await append(rig.client, { requestId: 'roundtrip-1', events });
  const ackedAt = BigInt(Date.now()) * 1000n;
  assert.deepEqual(response, { requestId: 'roundtrip-1', accepted: events.length, duplicate: false });

  const runs = await waitUntil(() => tableRows(wf, 'runs'), (rows) => rows.length === 2, { what: 'the runs rows' });
  // Everything of one workflow in one request is one message: one seq, idx = place in the request.
  const seq = runs[0].seq;
  const ingestUs = runs[0].ingest_us as bigint;
  assert.ok(ingestUs >= sentAt - 1_000_000n && ingestUs <= ackedAt + 1_000_000n, `ingest_time ${ingestUs} not within the call (${sentAt}..${ackedAt})`);
  const base = (idx: number, runId = 'r1') => ({ seq, idx, workflow_id: wf, run_id: runId });

  assert.deepEqual(
    { ...runs[0], tags: mapToObject(runs[0].tags), parameters: JSON.parse(runs[0].parameters as string), config: JSON.parse(runs[0].config as string) },
    {
      ...base(0),
      workflow_name: 'Nightly ETL',
      tags: { team: 'data', 'env.tier': 'prod', 'ü': 'ß' },
      parameters,
      config,
      dag_hash: 'sha256:abc',
      node_ids: ['extract', 'transform', 'load'],
      parent_run_id: 'r0',
      fork_step: 4n,
      time_us: T(0),
      ingest_us: ingestUs,
    },
  );
  // A run that is not a fork has no parent; absent parameters and config are NULL, not '{}'.
  assert.deepEqual(
    { ...runs[1], tags: mapToObject(runs[1].tags) },
    {
      ...base(9, 'r2'),
      workflow_name: 'Nightly ETL',
      tags: {},
      parameters: null,
      config: null,
      dag_hash: '',
      node_ids: [],
      parent_run_id: null,
      fork_step: null,
      time_us: ingestUs,
      ingest_us: ingestUs,
    },
  );

  const logs = await tableRows(wf, 'logs');
  assert.deepEqual(
    logs.map((row) => ({ ...row, attributes: mapToObject(row.attributes) })),
    [
      {
        ...base(1),
        task_name: 'extract',
        task_instance_id: 'extract#2',
        level: 'WARN',
        message: 'rows skipped: 3 — ünïcödé ✓',
        attributes: { rows: '3', 'source.table': 'orders' },
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        time_us: T(1),
        ingest_us: ingestUs,
      },
      { ...base(8), task_name: '', task_instance_id: '', level: 'INFO', message: 'no time given', attributes: {}, trace_id: '', span_id: '', time_us: ingestUs, ingest_us: ingestUs },
    ],
  );

  const runStatus = await tableRows(wf, 'run_status');
  assert.deepEqual(runStatus, [
    { ...base(2), status: 'RUNNING', reason: 'scheduled', time_us: T(2), ingest_us: ingestUs },
    { ...base(5), status: 'COMPLETED', reason: '', time_us: ingestUs, ingest_us: ingestUs },
  ]);

  const taskStatus = await tableRows(wf, 'task_status');
  assert.deepEqual(taskStatus, [
    { ...base(3), task_name: 'extract', task_instance_id: 'extract#2', attempt: 2, status: 'SKIPPED', reason: 'no new data', time_us: T(3), ingest_us: ingestUs },
    { ...base(6), task_name: 'extract', task_instance_id: 'extract#2', attempt: 3, status: 'COMPLETED', reason: '', time_us: ingestUs, ingest_us: ingestUs },
  ]);

  const steps = await tableRows(wf, 'steps');
  assert.deepEqual(steps, [
    {
      ...base(4),
      step: 3n,
      node_id: 'transform',
      state: '{"rows":[1,2,3],"cursor":{"page":7},"done":false}',
      awaiting_input: true,
      next_node_ids: ['load', 'report'],
      processed_node_ids: ['extract', 'transform'],
      waiting_node_ids: ['approve'],
      time_us: T(4),
      ingest_us: ingestUs,
    },
    // An empty state is stored as JSON null, so the column always holds JSON.
    { ...base(7), step: 4n, node_id: 'load', state: 'null', awaiting_input: false, next_node_ids: [], processed_node_ids: [], waiting_node_ids: [], time_us: ingestUs, ingest_us: ingestUs },
  ]);

  const applied = await queryPartition(rig.cluster.dataDir, partitionOf(wf, PARTITIONS), `SELECT max(seq) AS watermark, sum(events) AS events FROM applied`);
  assert.equal(applied[0].watermark, seq);
  assert.equal(Number(applied[0].events), events.length);

  const currentRun = await queryPartition(rig.cluster.dataDir, partitionOf(wf, PARTITIONS), `SELECT workflow_id, run_id, status, reason, epoch_us(time) AS time_us FROM run_current_status ORDER BY run_id`);
  assert.deepEqual(currentRun, [{ workflow_id: wf, run_id: 'r1', status: 'COMPLETED', reason: '', time_us: ingestUs }]);
  const currentTask = await queryPartition(rig.cluster.dataDir, partitionOf(wf, PARTITIONS), `SELECT workflow_id, run_id, task_name, task_instance_id, status, attempt, reason FROM task_current_status`);
  assert.deepEqual(currentTask, [{ workflow_id: wf, run_id: 'r1', task_name: 'extract', task_instance_id: 'extract#2', status: 'COMPLETED', attempt: 3, reason: '' }]);
});

test('current status views follow the latest event, not the latest time', async () => {
  const wf = 'views-wf';
  // The agent's clock runs backwards here; the stream order is what counts.
  await append(rig.client, {
    requestId: 'views-1',
    events: [
      { workflowId: wf, runId: 'v1', runStatus: { status: 'STATUS_RUNNING', time: timestampOfMicros(T(100)) } },
      { workflowId: wf, runId: 'v1', taskStatus: { taskName: 't', taskInstanceId: 't#1', attempt: 1, status: 'STATUS_RUNNING', time: timestampOfMicros(T(100)) } },
    ],
  });
  await append(rig.client, {
    requestId: 'views-2',
    events: [
      { workflowId: wf, runId: 'v1', taskStatus: { taskName: 't', taskInstanceId: 't#1', attempt: 1, status: 'STATUS_FAILED', time: timestampOfMicros(T(50)), reason: 'boom' } },
      { workflowId: wf, runId: 'v1', runStatus: { status: 'STATUS_FAILED', time: timestampOfMicros(T(50)), reason: 'task t failed' } },
    ],
  });
  const current = await rowsOf(wf, `SELECT status, reason FROM run_current_status WHERE workflow_id = '${wf}'`, (rows) => rows[0]?.status === 'FAILED');
  assert.deepEqual(current, [{ status: 'FAILED', reason: 'task t failed' }]);
  const task = await queryPartition(rig.cluster.dataDir, partitionOf(wf, PARTITIONS), `SELECT status, reason FROM task_current_status WHERE workflow_id = '${wf}'`);
  assert.deepEqual(task, [{ status: 'FAILED', reason: 'boom' }]);
});

test('per-run order is kept across workflows, partitions and requests', async () => {
  const workflows = ['order-a', 'order-b', 'order-e', 'order-f'];
  assert.ok(new Set(workflows.map((wf) => partitionOf(wf, PARTITIONS))).size === PARTITIONS, 'pick workflows that cover every partition');
  const perRun = 30;
  // Three requests, each interleaving every workflow's runs.
  for (let request = 0; request < 3; request++) {
    const events: Event[] = [];
    for (let i = 0; i < perRun; i++) {
      for (const wf of workflows) for (const run of ['x', 'y']) events.push(logEvent(wf, run, { message: String(request * perRun + i) }));
    }
    await append(rig.client, { requestId: `order-${request}`, events });
  }
  for (const wf of workflows) {
    const rows = await rowsOf(wf, `SELECT run_id, message FROM logs WHERE workflow_id = '${wf}' ORDER BY seq, idx`, (rows) => rows.length === 2 * 3 * perRun);
    for (const run of ['x', 'y']) {
      const messages = rows.filter((row) => row.run_id === run).map((row) => Number(row.message));
      assert.deepEqual(messages, Array.from({ length: 3 * perRun }, (_, i) => i), `${wf}/${run}`);
    }
  }
});

test('a request larger than the NATS max payload is split into several messages, order kept', async () => {
  const wf = 'big-states';
  // Four 3 MiB states: 12 MiB, more than the 8 MiB max payload of the test nats-server, and each
  // below the 4 MiB state limit. A log line between steps shows the interleaving is kept.
  const state = (n: number) => JSON.stringify({ n, blob: String(n).repeat(3 * 1024 * 1024 - 20) });
  const events: Event[] = [];
  for (let n = 0; n < 4; n++) {
    events.push({ workflowId: wf, runId: 'big', step: { step: String(n), nodeId: `node-${n}`, stateJson: state(n) } });
    events.push(logEvent(wf, 'big', { message: `after step ${n}` }));
  }
  const response = await append(rig.client, { requestId: 'big-1', events }, 60_000);
  assert.equal(response.accepted, 8);
  const steps = await rowsOf(
    wf,
    `SELECT seq, idx, step, length(state) AS bytes, md5(state) AS digest FROM steps WHERE workflow_id = '${wf}' ORDER BY seq, idx`,
    (rows) => rows.length === 4,
  );
  const { createHash } = await import('node:crypto');
  assert.deepEqual(
    steps.map((row) => ({ step: row.step, bytes: Number(row.bytes), digest: row.digest })),
    [0, 1, 2, 3].map((n) => ({ step: BigInt(n), bytes: state(n).length, digest: createHash('md5').update(state(n)).digest('hex') })),
  );
  assert.ok(new Set(steps.map((row) => row.seq)).size >= 2, 'expected the request to span several JetStream messages');
  const all = await queryPartition(
    rig.cluster.dataDir,
    partitionOf(wf, PARTITIONS),
    `SELECT kind, label FROM (SELECT seq, idx, 'step' AS kind, node_id AS label FROM steps WHERE workflow_id = '${wf}' UNION ALL SELECT seq, idx, 'log', message FROM logs WHERE workflow_id = '${wf}') ORDER BY seq, idx`,
  );
  assert.deepEqual(
    all.map((row) => `${row.kind}:${row.label}`),
    [0, 1, 2, 3].flatMap((n) => [`step:node-${n}`, `log:after step ${n}`]),
  );
});
