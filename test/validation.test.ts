// Bad input gets a precise gRPC error and changes nothing; hostile ids, oversized requests and garbage never hurt a service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { checkHealth } from '../scripts/local-cluster.js';
import { escapeSubjectToken, partitionOf } from '../services/common/subjects.js';
import { jsonToStruct } from '../services/common/values.js';
import { useCluster } from './helpers/cluster.js';
import { countAll, queryAllPartitions, queryPartition } from './helpers/duckdb.js';
import { logEvent, type Event } from './helpers/events.js';
import { append, appendError, type AppendRequest } from './helpers/ingest-client.js';
import { sleep, waitUntil } from './helpers/wait.js';
import type { LogLevel } from '../services/common/gen/runlog/v1/LogLevel.js';

const PARTITIONS = 2;
// Small limits, so every one is cheap to cross.
const LIMITS = {
  RUNLOG_MAX_REQUEST_BYTES: '256KiB',
  RUNLOG_MAX_EVENTS_PER_REQUEST: '50',
  RUNLOG_MAX_MESSAGE_BYTES: '1KiB',
  RUNLOG_MAX_ATTRIBUTES: '8',
  RUNLOG_MAX_ATTRIBUTE_BYTES: '128',
  RUNLOG_MAX_STATE_BYTES: '8KiB',
  RUNLOG_MAX_NODE_IDS: '16',
};
const WF = 'validation-wf';

const rig = useCluster({ partitions: PARTITIONS, env: LIMITS });

const BAD_TIME = { seconds: '253402300800', nanos: 0 }; // year 10000
const NEGATIVE_NANOS = { seconds: '1700000000', nanos: -1 };
const TOO_MANY_NANOS = { seconds: '1700000000', nanos: 1_000_000_000 };
const long = (bytes: number) => 'x'.repeat(bytes);
const entries = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
const ids = (count: number) => Array.from({ length: count }, (_, i) => `n${i}`);
const bigStruct = () => jsonToStruct({ blob: long(9000) });

const ev = (fields: Omit<Event, 'workflowId' | 'runId'>, ids: { workflowId?: string; runId?: string } = {}): Event => ({ workflowId: WF, runId: 'bad', ...ids, ...fields });
const log = (fields: Event['log']) => ev({ log: { level: 'LOG_LEVEL_INFO', ...fields } });
const started = (fields: Event['runStarted']) => ev({ runStarted: fields });
const runStatus = (fields: Event['runStatus']) => ev({ runStatus: { status: 'STATUS_RUNNING', ...fields } });
const taskStatus = (fields: Event['taskStatus']) => ev({ taskStatus: { taskName: 't', status: 'STATUS_RUNNING', ...fields } });
const step = (fields: Event['step']) => ev({ step: { step: '0', nodeId: 'n', ...fields } });

/** Each bad event, sent as the second of three, must be named by this field path in the error. */
const BAD_EVENTS: [field: string, event: Event][] = [
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: '' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: long(257) })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'é'.repeat(129) })], // 258 bytes, 129 characters
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'a\u0000b' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'a\nb' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'tab\there' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: '\u001b[31mred' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'del\u007f' })],
  ['workflow_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { workflowId: 'nel\u0085' })],
  ['run_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { runId: '' })],
  ['run_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { runId: long(257) })],
  ['run_id', ev({ log: { level: 'LOG_LEVEL_INFO' } }, { runId: 'r\r' })],
  ['kind', ev({})],
  ['run_started.workflow_name', started({ workflowName: long(257) })],
  ['run_started.workflow_name', started({ workflowName: 'a\nb' })],
  ['run_started.tags', started({ tags: entries(9) })],
  ['run_started.tags', started({ tags: { '': 'empty key' } })],
  ['run_started.tags["a\\nb"]', started({ tags: { 'a\nb': 'v' } })],
  ['run_started.tags["k"]', started({ tags: { k: long(129) } })],
  ['run_started.parameters', started({ parameters: bigStruct() })],
  ['run_started.config', started({ config: bigStruct() })],
  ['run_started.dag_hash', started({ dagHash: long(257) })],
  ['run_started.node_ids', started({ nodeIds: ids(17) })],
  ['run_started.node_ids[1]', started({ nodeIds: ['a', '', 'c'] })],
  ['run_started.node_ids[0]', started({ nodeIds: ['a\u0001'] })],
  ['run_started.parent_run_id', started({ parentRunId: 'p\u0000' })],
  ['run_started.fork_step', started({ parentRunId: 'p', forkStep: '-1' })],
  ['run_started.time', started({ time: BAD_TIME })],
  ['log.task_name', log({ taskName: 't\n' })],
  ['log.task_name', log({ taskName: long(257) })],
  ['log.task_instance_id', log({ taskInstanceId: long(257) })],
  ['log.time', log({ time: BAD_TIME })],
  ['log.time', log({ time: NEGATIVE_NANOS })],
  ['log.time', log({ time: TOO_MANY_NANOS })],
  ['log.level', log({ level: 'LOG_LEVEL_UNSPECIFIED' })],
  // A level number this contract does not know (a newer agent, or a broken one).
  ['log.level', log({ level: 99 as unknown as LogLevel })],
  ['log.message', log({ message: long(1025) })],
  ['log.message', log({ message: 'é'.repeat(513) })], // 1026 bytes in 513 characters
  ['log.attributes', log({ attributes: entries(9) })],
  ['log.attributes["k"]', log({ attributes: { k: long(129) } })],
  ['log.attributes', log({ attributes: { '': 'v' } })],
  ['log.trace_id', log({ traceId: 'not-hex' })],
  ['log.trace_id', log({ traceId: '0AF7651916CD43DD8448EB211C80319C' })],
  ['log.span_id', log({ spanId: 'b7ad6b716920333' })],
  ['run_status.status', runStatus({ status: 'STATUS_UNSPECIFIED' })],
  ['run_status.status', runStatus({ status: 'STATUS_SKIPPED' })],
  ['run_status.time', runStatus({ time: BAD_TIME })],
  ['run_status.reason', runStatus({ reason: long(1025) })],
  ['task_status.task_name', taskStatus({ taskName: '' })],
  ['task_status.task_name', taskStatus({ taskName: long(257) })],
  ['task_status.task_instance_id', taskStatus({ taskInstanceId: 'i\u0000' })],
  ['task_status.status', taskStatus({ status: 'STATUS_UNSPECIFIED' })],
  ['task_status.time', taskStatus({ time: NEGATIVE_NANOS })],
  ['task_status.reason', taskStatus({ reason: long(1025) })],
  ['step.step', step({ step: '-1' })],
  ['step.step', step({ step: '9007199254740993' })],
  ['step.node_id', step({ nodeId: long(257) })],
  ['step.state_json', step({ stateJson: '{"unterminated": ' })],
  ['step.state_json', step({ stateJson: JSON.stringify({ blob: long(9000) }) })],
  ['step.next_node_ids', step({ nextNodeIds: ids(17) })],
  ['step.processed_node_ids[0]', step({ processedNodeIds: [''] })],
  ['step.waiting_node_ids[1]', step({ waitingNodeIds: ['ok', 'w\u0007'] })],
  ['step.time', step({ time: BAD_TIME })],
];

/** The good events around each bad one: stored if validation were not all or nothing. */
const goodNeighbour = (n: number) => logEvent(WF, 'rejected-neighbour', { message: `neighbour ${n}` });

test('each validation rule answers INVALID_ARGUMENT naming the event index and field', async () => {
  for (const [i, [field, bad]] of BAD_EVENTS.entries()) {
    const error = await appendError(rig.client, { requestId: `bad-${i}`, events: [goodNeighbour(i), bad, goodNeighbour(i)] });
    const label = `case ${i} (${field})`;
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${label}: ${error.details}`);
    assert.ok(error.details.startsWith(`events[1].${field}: `), `${label}: got "${error.details}"`);
  }
});

test('request-level rules answer INVALID_ARGUMENT naming the field', async () => {
  const one = [goodNeighbour(0)];
  const cases: [string, AppendRequest][] = [
    ['request_id: ', { requestId: 'has space', events: one }],
    ['request_id: ', { requestId: 'x'.repeat(129), events: one }],
    ['request_id: ', { requestId: 'ünïcode', events: one }],
    ['events: must not be empty', { requestId: 'empty', events: [] }],
    ['events: 51 events exceed the limit of 50', { requestId: 'too-many', events: Array.from({ length: 51 }, (_, i) => goodNeighbour(i)) }],
  ];
  for (const [prefix, request] of cases) {
    const error = await appendError(rig.client, request);
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, error.details);
    assert.ok(error.details.startsWith(prefix), `expected "${prefix}…", got "${error.details}"`);
  }
});

test('hostile ids are accepted and stored under exactly their id, each on its own subject', async () => {
  const hostile = ['>', '*', 'a.b', 'a b', '%', '%2E', 'über/ß', '日本語', '🚀 launch', 'x'.repeat(256), 'é'.repeat(128), '$JS.API.>', 'a.*.>', "quote'n\"back\\slash"];
  const events: Event[] = hostile.flatMap((id) => [
    { workflowId: id, runId: id, runStarted: { workflowName: id, nodeIds: [id] } },
    logEvent(id, id, { taskName: id, taskInstanceId: id, message: `for ${id}` }),
    { workflowId: id, runId: id, taskStatus: { taskName: id, taskInstanceId: id, attempt: 1, status: 'STATUS_RUNNING' } },
  ]);
  const response = await append(rig.client, { requestId: 'hostile-ids', events });
  assert.equal(response.accepted, events.length);

  const rows = await waitUntil(
    () => queryAllPartitions(rig.cluster.dataDir, PARTITIONS, `SELECT workflow_id, run_id, task_name, task_instance_id, message FROM logs WHERE message LIKE 'for %'`),
    (rows) => rows.length === hostile.length,
    { what: 'the hostile ids' },
  );
  assert.deepEqual(
    rows.map((row) => row.workflow_id).sort(),
    [...hostile].sort(),
  );
  for (const row of rows) {
    assert.deepEqual(row, { workflow_id: row.workflow_id, run_id: row.workflow_id, task_name: row.workflow_id, task_instance_id: row.workflow_id, message: `for ${row.workflow_id}` });
  }
  // Each landed in its own partition's file, with its run and task rows.
  for (const id of hostile) {
    const partition = partitionOf(id, PARTITIONS);
    const runs = await queryPartition(rig.cluster.dataDir, partition, `SELECT workflow_id, run_id, workflow_name, node_ids FROM runs`);
    assert.deepEqual(runs.filter((row) => row.workflow_id === id), [{ workflow_id: id, run_id: id, workflow_name: id, node_ids: [id] }], JSON.stringify(id));
    const tasks = await queryPartition(rig.cluster.dataDir, partition, `SELECT workflow_id, task_name, status FROM task_current_status`);
    assert.deepEqual(tasks.filter((row) => row.workflow_id === id), [{ workflow_id: id, task_name: id, status: 'RUNNING' }], JSON.stringify(id));
  }

  // In the stream each id is one escaped token below its partition: nothing widened into another subject.
  const nc = await natsConnect({ servers: rig.cluster.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('RUNLOG', { subjects_filter: 'runlog.ev.>' });
    const subjects = Object.keys(info.state.subjects ?? {});
    for (const id of hostile) {
      const expected = `runlog.ev.${partitionOf(id, PARTITIONS)}.${escapeSubjectToken(id)}`;
      assert.ok(subjects.includes(expected), `no subject ${expected} for ${JSON.stringify(id)}`);
    }
    for (const subject of subjects) assert.equal(subject.split('.').length, 4, `subject ${subject}`);
  } finally {
    await nc.close();
  }
});

test('nothing of a rejected request is stored', async () => {
  // A good request after all the bad ones: once it is stored, everything before it is too.
  await append(rig.client, { requestId: 'after-the-bad-ones', events: [logEvent(WF, 'marker', { message: 'marker' })] });
  await waitUntil(() => countAll(rig.cluster.dataDir, PARTITIONS, `SELECT count(*) FROM logs WHERE run_id = 'marker'`), (count) => count === 1, { what: 'the marker' });
  for (const table of ['runs', 'logs', 'run_status', 'task_status', 'steps']) {
    const rows = await queryAllPartitions(rig.cluster.dataDir, PARTITIONS, `SELECT run_id FROM ${table} WHERE workflow_id = '${WF}'`);
    assert.deepEqual(rows.map((row) => row.run_id), table === 'logs' ? ['marker'] : [], `table ${table}`);
  }
});

/** Fails unless ingest runs, reports SERVING, and stores a fresh request. */
async function assertIngestWorks(label: string): Promise<void> {
  assert.equal(rig.cluster.ingest.child.exitCode, null, `ingest exited after ${label}:\n${rig.cluster.ingest.output()}`);
  assert.equal(await checkHealth(rig.cluster.ingestAddress, 2000), true, `ingest unhealthy after ${label}`);
  const response = await append(rig.client, { requestId: `alive-${label}`, events: [logEvent(WF, `alive-${label}`, { message: 'still here' })] });
  assert.equal(response.accepted, 1);
  await waitUntil(() => countAll(rig.cluster.dataDir, PARTITIONS, `SELECT count(*) FROM logs WHERE run_id = 'alive-${label}'`), (count) => count === 1, { what: `the event sent after ${label}` });
  for (const [p, address] of rig.cluster.persisterHealthAddresses.entries()) {
    assert.equal(rig.cluster.persisters[p].child.exitCode, null, `persister ${p} exited after ${label}`);
    assert.equal(await checkHealth(address, 2000), true, `persister ${p} unhealthy after ${label}`);
  }
}

test('an oversized request gets RESOURCE_EXHAUSTED and the service stays healthy', async () => {
  const error = await appendError(rig.client, { requestId: 'oversized', events: [logEvent(WF, 'oversized', { message: long(300 * 1024) })] });
  assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED, error.details);
  await assertIngestWorks('oversized');
  const stored = await countAll(rig.cluster.dataDir, PARTITIONS, `SELECT count(*) FROM logs WHERE run_id = 'oversized'`);
  assert.equal(stored, 0);
});

/** A deterministic byte source, so a failure can be replayed. */
function randomBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** A unary call to Append whose message is exactly `bytes`, bypassing protobuf encoding. */
function rawAppend(raw: grpc.Client, bytes: Buffer): Promise<grpc.StatusObject | null> {
  return new Promise((resolve) => {
    raw.makeUnaryRequest(
      '/runlog.v1.IngestService/Append',
      (value: Buffer) => value,
      (value: Buffer) => value,
      bytes,
      { deadline: Date.now() + 5000 },
      (error) => resolve(error ?? null),
    );
  });
}

test('garbage gRPC messages get an error status and change nothing', async () => {
  const raw = new grpc.Client(rig.cluster.ingestAddress, grpc.credentials.createInsecure());
  try {
    for (let seed = 1; seed <= 40; seed++) {
      const status = await rawAppend(raw, randomBytes(seed, (seed * 97) % 3000));
      assert.ok(status !== null, `seed ${seed}: garbage was accepted`);
      assert.ok([grpc.status.INTERNAL, grpc.status.INVALID_ARGUMENT].includes(status.code), `seed ${seed}: ${status.code} ${status.details}`);
    }
    // Well-formed protobuf with invalid UTF-8 in workflow_id: AppendRequest{events: [Event{workflow_id: FF FE, run_id: "r", log: {level: INFO}}]}.
    const event = Buffer.from([0x0a, 0x02, 0xff, 0xfe, 0x12, 0x01, 0x72, 0x5a, 0x02, 0x20, 0x03]);
    const invalidUtf8 = await rawAppend(raw, Buffer.concat([Buffer.from([0x12, event.length]), event]));
    assert.equal(invalidUtf8?.code, grpc.status.INVALID_ARGUMENT, invalidUtf8?.details);
    assert.match(invalidUtf8!.details, /^events\[0\]\.workflow_id: /);
    // A length prefix that runs past the end, and a wrong wire type for `events`.
    for (const bytes of [Buffer.from([0x12, 0x7f, 0x0a]), Buffer.from([0x10, 0x01]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])]) {
      const status = await rawAppend(raw, bytes);
      assert.ok(status !== null && status.code !== grpc.status.OK, `accepted ${bytes.toString('hex')}`);
    }
    // Garbage on a bidi stream, too.
    const stream = raw.makeBidiStreamRequest('/runlog.v1.IngestService/AppendStream', (value: Buffer) => value, (value: Buffer) => value, { deadline: Date.now() + 5000 });
    const streamStatus = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('data', () => undefined);
    stream.on('error', () => undefined); // the status above is what we check
    stream.write(randomBytes(7, 500));
    stream.end();
    assert.notEqual((await streamStatus).code, grpc.status.OK);
  } finally {
    raw.close();
  }
  await assertIngestWorks('garbage-messages');
});

/** Writes `bytes` to a TCP port and waits until the server closes or a moment passes. */
async function sendRawTcp(address: string, bytes: Buffer): Promise<void> {
  const [host, port] = address.split(':');
  await new Promise<void>((resolve) => {
    const socket = tcpConnect({ host, port: Number(port) }, () => socket.write(bytes));
    socket.on('data', () => undefined);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 500);
  });
}

test('garbage bytes on the TCP ports leave every service healthy', async () => {
  const payloads = [
    randomBytes(42, 4096),
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    // A valid HTTP/2 preface followed by a corrupt frame.
    Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), randomBytes(43, 256)]),
    // The preface cut short.
    Buffer.from('PRI * HTTP/2.0\r\n'),
    Buffer.alloc(65536, 0xff),
  ];
  for (const address of [rig.cluster.ingestAddress, ...rig.cluster.persisterHealthAddresses]) {
    for (const payload of payloads) await sendRawTcp(address, payload);
  }
  // Many connections at once that never speak.
  await Promise.all(Array.from({ length: 50 }, () => sendRawTcp(rig.cluster.ingestAddress, Buffer.alloc(0))));
  await sleep(200);
  await assertIngestWorks('tcp-garbage');
});
