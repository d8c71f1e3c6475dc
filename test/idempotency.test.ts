// Retries store once: Append retried with the same request_id, and AppendStream's one in-order ack per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCluster } from './helpers/cluster.js';
import { countAll, queryPartition } from './helpers/duckdb.js';
import { logEvent, numberedLog, type Event } from './helpers/events.js';
import { append, appendStream, type AppendRequest } from './helpers/ingest-client.js';
import { waitUntil } from './helpers/wait.js';

const rig = useCluster({ partitions: 1 });

/** How many log rows of a workflow are stored, once at least `expected` are (then a moment more, to catch extras). */
async function storedLogs(workflowId: string, expected: number): Promise<number> {
  const sql = `SELECT count(*) FROM logs WHERE workflow_id = '${workflowId}'`;
  await waitUntil(() => countAll(rig.cluster.dataDir, 1, sql), (count) => count >= expected, { what: `${expected} logs of ${workflowId}` });
  // A duplicate would land in the same or the next batch; the flush interval is 20 ms.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return countAll(rig.cluster.dataDir, 1, sql);
}

test('Append retried with the same request_id is stored once', async () => {
  // Three workflows: the request becomes three JetStream messages, each de-duplicated.
  const events: Event[] = ['retry-a', 'retry-b', 'retry-c'].flatMap((wf) => [0, 1, 2].map((n) => numberedLog(wf, 'r', n)));
  const request: AppendRequest = { requestId: 'retry-request-1', events };
  const first = await append(rig.client, request);
  assert.deepEqual(first, { requestId: 'retry-request-1', accepted: 9, duplicate: false });
  const second = await append(rig.client, request);
  assert.deepEqual(second, { requestId: 'retry-request-1', accepted: 9, duplicate: true });
  // Concurrent retries of the same request too (an agent that timed out and resent at once).
  const racing = await Promise.all([append(rig.client, request), append(rig.client, request), append(rig.client, request)]);
  for (const response of racing) assert.equal(response.duplicate, true);
  for (const wf of ['retry-a', 'retry-b', 'retry-c']) assert.equal(await storedLogs(wf, 3), 3, wf);
});

test('a different request_id with the same events is stored again (request_id, not content, de-duplicates)', async () => {
  const events = [logEvent('same-content', 'r', { message: 'hello' })];
  await append(rig.client, { requestId: 'content-1', events });
  const response = await append(rig.client, { requestId: 'content-2', events });
  assert.equal(response.duplicate, false);
  assert.equal(await storedLogs('same-content', 2), 2);
});

test('without a request_id the server makes one, distinct per call', async () => {
  const events = [logEvent('no-request-id', 'r', { message: 'x' })];
  const a = await append(rig.client, { events });
  const b = await append(rig.client, { events });
  assert.ok(a.requestId.length > 0 && b.requestId.length > 0);
  assert.notEqual(a.requestId, b.requestId);
  assert.equal(await storedLogs('no-request-id', 2), 2);
});

test('AppendStream: one ack per request, in order; every event stored once and in order', async () => {
  const wf = 'stream-wf';
  const requests = 300;
  const perRequest = 20;
  const list: AppendRequest[] = [];
  for (let r = 0; r < requests; r++) {
    // Every request carries the same two runs, so order across requests is visible per run.
    const events: Event[] = [];
    for (let i = 0; i < perRequest / 2; i++) {
      const n = r * (perRequest / 2) + i;
      events.push(numberedLog(wf, 'even', n), numberedLog(wf, 'odd', n));
    }
    list.push({ requestId: `stream-${r}`, events });
  }
  // Resend a few requests within the same stream: acked as duplicates, in their place.
  list.push(list[0], list[150], list[299]);
  const responses = await appendStream(rig.client, list);
  assert.equal(responses.length, list.length);
  responses.forEach((response, i) => {
    assert.equal(response.requestId, list[i].requestId, `answer ${i} out of order`);
    assert.equal(response.accepted, perRequest);
    assert.equal(response.duplicate, i >= requests, `answer ${i}`);
  });

  assert.equal(await storedLogs(wf, requests * perRequest), requests * perRequest);
  for (const run of ['even', 'odd']) {
    const rows = await queryPartition(rig.cluster.dataDir, 0, `SELECT attributes['n'] AS n FROM logs WHERE workflow_id = '${wf}' AND run_id = '${run}' ORDER BY seq, idx`);
    assert.deepEqual(
      rows.map((row) => Number(row.n)),
      Array.from({ length: (requests * perRequest) / 2 }, (_, i) => i),
      `run ${run} out of order or not exactly once`,
    );
  }
});

test('AppendStream stops at the first bad request: earlier ones acked and stored, the bad one not, nothing after it acked', async () => {
  const wf = 'stream-bad';
  const good = (r: number): AppendRequest => ({ requestId: `bad-stream-${r}`, events: [numberedLog(wf, 'r', r)] });
  const bad: AppendRequest = { requestId: 'bad-stream-x', events: [logEvent(wf, 'r', { level: 'LOG_LEVEL_UNSPECIFIED' })] };
  const call = rig.client.AppendStream({ deadline: Date.now() + 30_000 });
  const acks: string[] = [];
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('data', (message) => acks.push(message.response!.requestId));
    call.on('error', (error: { code: number; details: string }) => resolve(error));
    call.on('end', () => resolve({ code: 0, details: 'ended without error' }));
  });
  // Wait for each ack before the next, so exactly the first three are published before the bad one.
  for (let r = 0; r < 3; r++) {
    call.write({ request: good(r) });
    await waitUntil(() => acks.length, (count) => count === r + 1, { what: `ack ${r}` });
  }
  call.write({ request: bad });
  call.write({ request: good(3) });
  const status = await ended;
  assert.equal(status.code, 3 /* INVALID_ARGUMENT */, status.details);
  assert.match(status.details, /^events\[0\]\.log\.level/);
  assert.deepEqual(acks, ['bad-stream-0', 'bad-stream-1', 'bad-stream-2']);
  // The request after the bad one may or may not have been published before the failure ended
  // the call (requests are pipelined); unacked, the agent resends it with its request_id.
  await storedLogs(wf, 3);
  const rows = await queryPartition(rig.cluster.dataDir, 0, `SELECT attributes['n'] AS n FROM logs WHERE workflow_id = '${wf}' ORDER BY seq, idx`);
  const stored = rows.map((row) => row.n);
  assert.deepEqual(stored.slice(0, 3), ['0', '1', '2']);
  assert.ok(stored.length === 3 || (stored.length === 4 && stored[3] === '3'), `unexpected rows ${JSON.stringify(stored)}`);
});
