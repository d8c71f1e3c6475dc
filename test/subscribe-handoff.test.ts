// Subscribe's history → live handoff: every event once and in order while writing, across reconnects, from a time, only new, and after the stream lost the history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { waitUntilStored, writeNumbered, type RunRef } from './helpers/numbered.js';
import { queryClient, queryLogs, type QueryServiceClient } from './helpers/query-client.js';
import { startQueryCluster, startQueryService, type QueryCluster } from './helpers/query-service.js';
import { describeStatus, NumberedRuns, subscribe, subscriptionConsumers, type Subscription } from './helpers/subscription.js';
import { sleep, waitUntil } from './helpers/wait.js';
import { jsonToStruct, millisToTimestamp } from '../services/common/values.js';
import { logEvent, timestampOfMicros, type Event } from './helpers/events.js';
import { append } from './helpers/ingest-client.js';
import type { EventFilter } from '../services/common/gen/runlog/v1/EventFilter.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';

let rig: QueryCluster;
let ingest: IngestServiceClient;
let client: QueryServiceClient;
let nc: NatsConnection;

before(async () => {
  rig = await startQueryCluster();
  ({ ingest, client } = rig);
  nc = await natsConnect({ servers: rig.cluster.natsUrl });
});

after(async () => {
  await nc?.close();
  await rig?.stop();
});

const runsOf = (prefix: string, runs: number, workflows: number): RunRef[] =>
  Array.from({ length: runs }, (_, i) => ({ workflowId: `${prefix}-wf-${i % workflows}`, runId: `run-${i}` }));
const expectCounts = (runs: RunRef[], count: number) => runs.map((run) => ({ ...run, count }));

/** Cancels and opens the subscription again after its last cursor, feeding the same checker. */
async function reconnect(subscription: Subscription, request: { filter: { workflowId?: string } }, checker: NumberedRuns): Promise<Subscription> {
  const cursor = subscription.lastCursor();
  assert.ok(cursor, 'a reconnect needs an event received before');
  const status = await subscription.cancel();
  assert.equal(status.code, grpc.status.CANCELLED);
  return subscribe(client, { ...request, afterCursor: cursor }, { keep: false, onEvent: (event) => checker.accept(event) });
}

// Must run first: the subscribers on all workflows start from the beginning of an empty store.
test('subscribers started while 100,000 events are written get each event of their filter once, in per-run order, also across three reconnects', { timeout: 300_000 }, async () => {
  // 100 runs in 10 workflows, 1,000 events each, from 4 agents sending 1,000 events per request,
  // paced so the writing lasts ~15 s and the subscribers meet it both in history and live.
  const runs = runsOf('handoff', 100, 10);
  const TOTAL = 100_000;
  // The reconnecting subscriber reconnects once it has received each threshold. Before each
  // reconnect the writing holds at a bound above its threshold until the reconnect is done: so
  // every reconnect falls while there is more to write, however fast or slow each side runs on a
  // loaded machine, and each reconnected subscription hands off from history to live again.
  const thresholds = [15_000, 40_000, 65_000];
  const holds = [25_000, 50_000, 75_000];
  let acked = 0;
  let reconnects = 0;
  const holdBeforeReconnect = async () => {
    while (reconnects < holds.length && acked >= holds[reconnects]) await sleep(10);
  };
  const writing = writeNumbered(ingest, { runs, count: 1000, senders: 4, perRequest: 1000, pauseMs: 500, onAcked: (n) => (acked += n), beforeRequest: holdBeforeReconnect });
  let writingDone = false;
  writing.then(() => (writingDone = true), () => undefined);
  await waitUntil(() => acked, (n) => writingDone || n >= 10_000, { intervalMs: 10, what: '10% written' });
  assert.ok(!writingDone && acked < TOTAL, `the subscribers start after the writing ended (${acked} acked)`);

  const all = new NumberedRuns();
  const one = new NumberedRuns();
  const hopping = new NumberedRuns();
  const oneWorkflow = 'handoff-wf-3';
  const allSub = subscribe(client, { filter: {}, fromBeginning: true }, { keep: false, onEvent: (event) => all.accept(event) });
  const oneSub = subscribe(client, { filter: { workflowId: oneWorkflow }, fromBeginning: true }, { keep: false, onEvent: (event) => one.accept(event) });
  let hopper = subscribe(client, { filter: {}, fromBeginning: true }, { keep: false, onEvent: (event) => hopping.accept(event) });

  const ackedAtReconnect: number[] = [];
  for (const threshold of thresholds) {
    await waitUntil(() => hopping.total, (n) => n >= threshold, { timeoutMs: 120_000, intervalMs: 5, what: `the reconnecting subscriber at ${threshold}` });
    assert.ok(!writingDone, `reconnect ${reconnects + 1} after the writing ended`);
    ackedAtReconnect.push(acked);
    hopper = await reconnect(hopper, { filter: {} }, hopping);
    reconnects++;
  }
  await writing;
  // Held back, the writing went at most one request per agent past each bound: every reconnect left
  // more than 20,000 events still to write.
  for (const [i, ackedThen] of ackedAtReconnect.entries()) {
    assert.ok(ackedThen < holds[i] + 4 * 1000, `reconnect ${i + 1} with ${ackedThen} of ${TOTAL} events acked`);
  }

  await allSub.waitForCount(100_000);
  await oneSub.waitForCount(10_000);
  await waitUntil(() => hopping.total, (n) => n >= 100_000, { timeoutMs: 120_000, what: 'the reconnecting subscriber at 100,000' });
  // Anything extra (a duplicate) would arrive right behind; give it a moment before the exact counts.
  await sleep(500);
  all.assertComplete(expectCounts(runs, 1000));
  one.assertComplete(expectCounts(runs.filter((run) => run.workflowId === oneWorkflow), 1000));
  hopping.assertComplete(expectCounts(runs, 1000));
  for (const subscription of [allSub, oneSub, hopper]) assert.equal((await subscription.cancel()).code, grpc.status.CANCELLED);
});

test('a subscription since a time gets what was ingested from then on, stored and live, and nothing before', { timeout: 60_000 }, async () => {
  const earlier: RunRef = { workflowId: 'since-wf', runId: 'earlier' };
  const later: RunRef = { workflowId: 'since-wf', runId: 'later' };
  await writeNumbered(ingest, { runs: [earlier], count: 100 });
  // JetStream stamps ingest times with this machine's clock; a margin on each side keeps the split clear.
  await sleep(300);
  const since = millisToTimestamp(Date.now());
  await sleep(300);
  await writeNumbered(ingest, { runs: [later], count: 100 });

  const checker = new NumberedRuns();
  const subscription = subscribe(client, { filter: { workflowId: 'since-wf' }, since }, { keep: false, onEvent: (event) => checker.accept(event) });
  await subscription.waitForCount(100, 30_000, 'the stored events since the time');
  await writeNumbered(ingest, { runs: [later], from: 100, count: 100 });
  await subscription.waitForCount(200, 30_000, 'the live events');
  await sleep(300);
  checker.assertComplete([{ ...later, count: 200 }]);
  await subscription.cancel();
});

test('a subscription without a start gets only events appended after it opened', { timeout: 60_000 }, async () => {
  const old: RunRef = { workflowId: 'new-only-wf', runId: 'old' };
  const probe: RunRef = { workflowId: 'new-only-wf', runId: 'probe' };
  const fresh: RunRef = { workflowId: 'new-only-wf', runId: 'fresh' };
  await writeNumbered(ingest, { runs: [old], count: 100 });
  const subscription = subscribe(client, { filter: { workflowId: 'new-only-wf' } });
  // The client cannot see when the server fixed its start, so probe until one arrives: from then on
  // every append is after the start.
  let probes = 0;
  while (subscription.received() === 0) {
    await writeNumbered(ingest, { runs: [probe], from: probes++, count: 1 });
    await sleep(100);
    assert.ok(probes < 200, 'no probe event arrived');
  }
  await writeNumbered(ingest, { runs: [fresh], count: 500, perRequest: 100 });
  await waitUntil(() => subscription.events.filter((event) => event.event?.runId === fresh.runId).length, (n) => n >= 500, { what: 'the fresh events' });
  await sleep(300);
  await subscription.cancel();

  const byRun = (runId: string) => subscription.events.filter((event) => event.event?.runId === runId).map((event) => Number(event.event?.log?.attributes.n));
  assert.deepEqual(byRun(old.runId), [], 'events appended before the subscription opened');
  // The probes received are the last ones sent, each once, in order.
  const probesSeen = byRun(probe.runId);
  assert.deepEqual(probesSeen, Array.from({ length: probesSeen.length }, (_, i) => probes - probesSeen.length + i));
  assert.deepEqual(byRun(fresh.runId), Array.from({ length: 500 }, (_, n) => n));
  assert.equal(subscription.events.length, probesSeen.length + 500);
});

/** Every kind and field an agent sends, in two runs and two tasks, some without a time (ingest time fills it in). */
function mixedEvents(workflowId: string): Event[] {
  const T = 1_700_000_000_123_456n;
  const at = (seconds: number) => timestampOfMicros(T + BigInt(seconds) * 1_000_000n);
  const levels = ['LOG_LEVEL_TRACE', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR', 'LOG_LEVEL_FATAL'] as const;
  return ['r1', 'r2'].flatMap((runId): Event[] => [
    {
      workflowId, runId,
      runStarted: {
        workflowName: 'mixed', tags: { team: 'qa' }, parameters: jsonToStruct({ n: 1, list: [1, 'a', null, true], nested: { x: 'y' } }),
        config: jsonToStruct({ retries: 2 }), dagHash: 'sha256:1', nodeIds: ['a', 'b'], time: at(0),
      },
    },
    // Nanoseconds: stored at DuckDB's microseconds, so live events must be cut to them too.
    { workflowId, runId, runStatus: { status: 'STATUS_RUNNING', time: { seconds: '1700000001', nanos: 123_456_789 }, reason: 'go' } },
    ...['a', 'b'].flatMap((taskName): Event[] => [
      { workflowId, runId, taskStatus: { taskName, taskInstanceId: `${taskName}#1`, attempt: 1, status: 'STATUS_RUNNING', time: at(2) } },
      ...levels.map((level, i) =>
        logEvent(workflowId, runId, {
          taskName, taskInstanceId: `${taskName}#1`, level, message: `${taskName} ${level}`, attributes: { i: String(i) },
          traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', ...(i % 2 === 0 ? { time: at(3 + i) } : {}),
        }),
      ),
      { workflowId, runId, taskStatus: { taskName, taskInstanceId: `${taskName}#1`, attempt: 2, status: 'STATUS_FAILED', reason: 'boom' } },
    ]),
    logEvent(workflowId, runId, { level: 'LOG_LEVEL_ERROR', message: 'run-level line' }),
    {
      workflowId, runId,
      step: { step: '0', nodeId: 'a', stateJson: '{"k":[1,2]}', awaitingInput: true, nextNodeIds: ['b'], processedNodeIds: ['a'], waitingNodeIds: ['b'], time: at(20) },
    },
    { workflowId, runId, runStatus: { status: 'STATUS_COMPLETED' } },
  ]);
}

const LEVEL_ORDER = ['LOG_LEVEL_TRACE', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR', 'LOG_LEVEL_FATAL'];
const KIND_OF: Record<string, string> = { runStarted: 'EVENT_KIND_RUN_STARTED', log: 'EVENT_KIND_LOG', runStatus: 'EVENT_KIND_RUN_STATUS', taskStatus: 'EVENT_KIND_TASK_STATUS', step: 'EVENT_KIND_STEP' };

/** The filter as query.proto describes it, written out plainly: what a subscription must let through. */
function passes(filter: EventFilter, event: Event): boolean {
  const kind = Object.keys(KIND_OF).find((name) => event[name as keyof Event] != null)!;
  if (filter.runId && event.runId !== filter.runId) return false;
  if (filter.kinds?.length && !filter.kinds.includes(KIND_OF[kind] as never)) return false;
  if (filter.taskName && (event.log?.taskName ?? event.taskStatus?.taskName) !== filter.taskName) return false;
  if (filter.minLevel && event.log && LEVEL_ORDER.indexOf(String(event.log.level)) < LEVEL_ORDER.indexOf(String(filter.minLevel))) return false;
  return true;
}

test('live and stored events come out alike, cursor and ingest time included, and every filter lets through the same ones', { timeout: 120_000 }, async () => {
  const workflowId = 'alike-wf';
  const filters: EventFilter[] = [
    {},
    { runId: 'r1' },
    { taskName: 'a' },
    { minLevel: 'LOG_LEVEL_WARN' },
    { kinds: ['EVENT_KIND_TASK_STATUS', 'EVENT_KIND_STEP'] },
    { runId: 'r2', taskName: 'b', minLevel: 'LOG_LEVEL_ERROR', kinds: ['EVENT_KIND_LOG'] },
  ];
  const events = mixedEvents(workflowId);
  const jsm = await jetstreamManager(nc);
  const consumers = () => subscriptionConsumers(jsm);
  // The subscriptions of earlier tests delete their consumers as they close.
  const baseline = 0;
  await waitUntil(consumers, (count) => count === baseline, { what: 'no consumer left from earlier subscriptions' });
  // Live: subscriptions that are past their (empty) history, each with its stream consumer, before the events exist.
  const live = filters.map((filter) => subscribe(client, { filter: { ...filter, workflowId } }));
  await waitUntil(consumers, (count) => count === baseline + filters.length, { what: 'every live subscription reading the stream' });
  await append(ingest, { events });
  const expected = filters.map((filter) => events.filter((event) => passes(filter, event)).length);
  await Promise.all(live.map((subscription, i) => subscription.waitForCount(expected[i], 30_000, `live ${JSON.stringify(filters[i])}`)));
  // Stored: once QueryLogs sees the last log, the watermark covers every event above, so
  // subscriptions from the beginning hand them out from DuckDB.
  await waitUntil(() => queryLogs(client, { filter: { workflowId }, contains: 'run-level line' }), (page) => page.records.length === 2, { what: 'the events stored' });
  const stored = filters.map((filter) => subscribe(client, { filter: { ...filter, workflowId }, fromBeginning: true }));
  await Promise.all(stored.map((subscription, i) => subscription.waitForCount(expected[i], 30_000, `stored ${JSON.stringify(filters[i])}`)));
  await sleep(300);
  for (const subscription of [...live, ...stored]) await subscription.cancel();
  for (const [i, filter] of filters.entries()) {
    assert.equal(live[i].events.length, expected[i], `live ${JSON.stringify(filter)}`);
    assert.deepEqual(live[i].events, stored[i].events, `live and stored differ for ${JSON.stringify(filter)}`);
    // Times the agent left out are the ingest time, as stored.
    for (const { event, ingestTime } of live[i].events) {
      const body = event?.[event.kind as 'log'] as { time?: unknown } | null;
      if (body && 'time' in body) assert.ok(body.time, `no time on ${JSON.stringify(event)}`);
      assert.ok(ingestTime);
    }
  }
});

test('after the stream lost the history, a cursor resumes from DuckDB exactly after itself, then goes live', { timeout: 90_000 }, async () => {
  const run: RunRef = { workflowId: 'purge-wf', runId: 'r' };
  // Three messages of 1,000 events: the cursor at 1,500 points into the middle of the second.
  await writeNumbered(ingest, { runs: [run], count: 3000 });
  await waitUntilStored(rig.cluster, run);
  const first = new NumberedRuns();
  const before = subscribe(client, { filter: { workflowId: run.workflowId }, fromBeginning: true }, { keep: false, onEvent: (event) => first.accept(event) });
  await before.waitForCount(1500);
  const middle = before.lastCursor();
  await before.cancel();
  first.assertComplete([{ ...run, count: first.total }]);
  const lastStored = (await queryLogs(client, { filter: run, order: 'ORDER_DESCENDING', pageSize: 1 })).records[0].cursor;

  const jsm = await jetstreamManager(nc);
  await jsm.streams.purge('RUNLOG');
  assert.equal((await jsm.streams.info('RUNLOG')).state.messages, 0, 'the stream still holds messages');

  const resumed = new NumberedRuns().expectFrom(run.workflowId, run.runId, first.total);
  const fromMiddle = subscribe(client, { filter: { workflowId: run.workflowId }, afterCursor: middle }, { keep: false, onEvent: (event) => resumed.accept(event) });
  const tail = new NumberedRuns().expectFrom(run.workflowId, run.runId, 3000);
  const fromEnd = subscribe(client, { filter: { workflowId: run.workflowId }, afterCursor: lastStored }, { keep: false, onEvent: (event) => tail.accept(event) });
  await fromMiddle.waitForCount(3000 - first.total, 30_000, 'the history after the cursor');
  await writeNumbered(ingest, { runs: [run], from: 3000, count: 1000 });
  await fromMiddle.waitForCount(4000 - first.total, 30_000, 'the live events');
  await fromEnd.waitForCount(1000, 30_000, 'the live events after the last stored one');
  await sleep(300);
  resumed.assertComplete([{ ...run, count: 4000 }], 4000 - first.total);
  tail.assertComplete([{ ...run, count: 4000 }], 1000);
  await fromMiddle.cancel();
  await fromEnd.cancel();
});

test('a subscriber resumes exactly with its cursor after the query service or the persister is killed -9 under it', { timeout: 180_000 }, async () => {
  const run: RunRef = { workflowId: 'restart-wf', runId: 'r' };
  const filter = { workflowId: run.workflowId };
  await writeNumbered(ingest, { runs: [run], count: 15_000 });
  await waitUntilStored(rig.cluster, run);
  const checker = new NumberedRuns();
  const follow = (on: QueryServiceClient, start: { fromBeginning: true } | { afterCursor: string }) =>
    subscribe(on, { filter, ...start }, { keep: false, onEvent: (event) => checker.accept(event) });

  // 1. The query service dies mid-history; a new one continues from the cursor.
  const doomed = await startQueryService(rig.cluster, {}, 'query-doomed');
  const doomedClient = queryClient(doomed.address);
  const first = follow(doomedClient, { fromBeginning: true });
  await first.waitForCount(3000);
  await doomed.process.kill();
  const status = await first.ended;
  assert.notEqual(status.code, grpc.status.OK, 'the stream ended cleanly although its server died');
  doomedClient.close();

  // 2. The persister dies while the resumed subscriber reads its history: the stream fails
  //    (UNAVAILABLE), and after the restart the cursor continues. Paused, the subscriber holds the
  //    server inside its history (12,000 events are left, far more than the buffers take).
  const second = follow(client, { afterCursor: first.lastCursor() });
  await second.waitForCount(1);
  second.pause();
  await rig.cluster.persisters[0].kill();
  second.resume();
  const secondStatus = await second.ended;
  assert.equal(secondStatus.code, grpc.status.UNAVAILABLE, describeStatus(secondStatus));
  await rig.cluster.startPersister(0);
  const before = checker.total;
  const third = follow(client, { afterCursor: second.lastCursor() });
  await third.waitForCount(15_000 - before, 60_000, 'the rest of the history');

  // 3. Live (a new event arrives only through the stream now); the persister dies again: the
  //    stream keeps flowing past it.
  await writeNumbered(ingest, { runs: [run], from: 15_000, count: 1 });
  await third.waitForCount(15_001 - before, 30_000, 'the first live event');
  await rig.cluster.persisters[0].kill();
  await writeNumbered(ingest, { runs: [run], from: 15_001, count: 4999 });
  await waitUntil(() => checker.total, (n) => n >= 20_000, { timeoutMs: 60_000, what: 'the live events with the persister down' });
  await rig.cluster.startPersister(0);
  await sleep(300);
  await third.cancel();
  checker.assertComplete([{ ...run, count: 20_000 }]);
});
