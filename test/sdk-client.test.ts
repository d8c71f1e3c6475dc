// The SDK's client against a live stack: typed calls in plain shapes, pagers, retries of UNAVAILABLE, metadata and token, reconnecting subscribe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { RunlogClient, Code, isRpcError, missingNodes } from '../clients/ts/src/index.js';
import { contract } from '../clients/ts/src/contract.js';
import { startSdkStack, type SdkStack } from './helpers/sdk-stack.js';
import { waitUntil } from './helpers/wait.js';

let stack: SdkStack;
let client: RunlogClient;

before(async () => {
  stack = await startSdkStack();
  client = new RunlogClient({ ingestAddress: stack.ingestAddress, queryAddress: stack.queryAddress, retry: { maxAttempts: 60, initialDelayMs: 50, maxDelayMs: 250 } });
});
after(async () => {
  client?.close();
  await stack?.stop();
});

const started = new Date('2026-01-02T03:04:05.678Z');

async function seedRun(workflowId: string, runId: string, logs: number) {
  await client.append({
    events: [
      { workflowId, runId, runStarted: { workflowName: 'Seed', tags: { team: 'sdk' }, parameters: { n: logs, nested: { ok: true, list: [1, 'two', null] } }, nodeIds: ['a', 'b'], time: started } },
      { workflowId, runId, runStatus: { status: 'STATUS_RUNNING', time: started } },
      ...Array.from({ length: logs }, (_, i) => ({ workflowId, runId, log: { level: 'LOG_LEVEL_INFO' as const, message: `line ${i}`, time: new Date(started.getTime() + i) } })),
      { workflowId, runId, step: { step: 0, nodeId: 'a', stateJson: JSON.stringify({ x: 1 }), time: started } },
      { workflowId, runId, step: { step: 1, nodeId: 'b', stateJson: JSON.stringify({ x: 2 }), processedNodeIds: ['a', 'b'], time: started } },
    ],
  });
}

describe('typed calls', () => {
  test('answers are plain objects: Dates, numbers, JSON parameters; every page is iterated', async () => {
    await seedRun('sdk.wf', 'r-1', 25);
    const run = await waitUntil(() => client.getRun('sdk.wf', 'r-1'), (r) => r.summary!.logCount === 25, { what: 'the run stored' });
    assert.ok(run.summary!.startTime instanceof Date);
    assert.equal(run.summary!.startTime!.toISOString(), started.toISOString());
    assert.equal(typeof run.summary!.logCount, 'number');
    assert.deepEqual(run.parameters, { n: 25, nested: { ok: true, list: [1, 'two', null] } });
    assert.equal(run.summary!.status, 'STATUS_RUNNING');

    const messages: string[] = [];
    for await (const record of client.iterateLogs({ filter: { workflowId: 'sdk.wf', runId: 'r-1' }, pageSize: 7 })) {
      assert.ok(record.event!.log!.time instanceof Date);
      messages.push(record.event!.log!.message);
    }
    assert.deepEqual(messages, Array.from({ length: 25 }, (_, i) => `line ${i}`));

    const runs = [];
    for await (const summary of client.iterateRuns({ workflowId: 'sdk.wf', pageSize: 1 })) runs.push(summary.runId);
    assert.deepEqual(runs, ['r-1']);
    const workflows = [];
    for await (const workflow of client.iterateWorkflows({ pageSize: 1 })) workflows.push(workflow.workflowId);
    assert.ok(workflows.includes('sdk.wf'));

    const state = await client.getState({ run: { workflowId: 'sdk.wf', runId: 'r-1' } });
    assert.equal(state.step, 1);
    assert.equal(typeof state.step, 'number');
    const steps = [];
    for await (const step of client.iterateSteps({ run: { workflowId: 'sdk.wf', runId: 'r-1' }, pageSize: 1 })) steps.push(step.nodeId);
    assert.deepEqual(steps, ['a', 'b']);
  });

  test('errors keep their code; a refused resume lists the missing nodes', async () => {
    await assert.rejects(client.getRun('sdk.wf', 'no-such-run'), (error) => isRpcError(error, Code.NOT_FOUND));
    const refused = await client.resume({ run: { workflowId: 'sdk.wf', runId: 'r-1' }, nodeIds: ['a'] }).then(
      () => assert.fail('resume should be refused'),
      (error: unknown) => error,
    );
    assert.deepEqual(missingNodes(refused), { nodeIds: ['b'], count: 1 });
  });

  test('fork and lineage', async () => {
    const forked = await client.fork({ run: { workflowId: 'sdk.wf', runId: 'r-1' }, fromStep: 0, newRunId: 'r-1-fork', statePatchJson: '{"x": 10}' });
    assert.equal(forked.run!.runId, 'r-1-fork');
    assert.deepEqual(JSON.parse(forked.state!.stateJson), { x: 10 });
    const lineage = await waitUntil(() => client.getLineage({ workflowId: 'sdk.wf', runId: 'r-1' }), (l) => l.run!.forks.length === 1, { what: 'the fork in the lineage' });
    assert.equal(lineage.run!.forks[0].runId, 'r-1-fork');
    assert.equal(lineage.run!.forks[0].forkStep, 0);
  });

  test('a call made while the query service is down is retried until it is back', async () => {
    await stack.stopQuery();
    const pending = client.getRun('sdk.wf', 'r-1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.startQuery();
    const run = await pending;
    assert.equal(run.summary!.runId, 'r-1');
  });

  test('an aborted call rejects with the signal\'s reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop here'));
    await assert.rejects(client.getRun('sdk.wf', 'r-1', { signal: controller.signal }), /stop here/);
  });
});

describe('batching logger', () => {
  test('ready() holds an agent back until the backlog halves, so it need not spill', async () => {
    const logger = client.logger({ maxBufferedEvents: 1000, maxBatchEvents: 100, flushIntervalMs: 5 });
    const run = logger.run('sdk.ready', 'r-1');
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 450; i++) run.log.info(`m ${round * 450 + i}`);
      await logger.ready();
      assert.ok(logger.stats().inMemory < 500 || round === 9, `in memory after ready(): ${logger.stats().inMemory}`);
    }
    const stats = await logger.close();
    assert.deepEqual([stats.acked, stats.spilled], [4500, 0]);
  });

  test('a batch the service refuses for good is dropped and reported; the batches after it are stored', async () => {
    const rejected: [string, number][] = [];
    const logger = client.logger({ maxBatchEvents: 10, flushIntervalMs: 5, onRejected: (error, events) => rejected.push([Code[error.code], events]) });
    const run = logger.run('sdk.reject', 'r-1');
    for (let i = 0; i < 10; i++) run.log.info(`a ${i}`);
    await logger.flush();
    logger.emit({ workflowId: 'sdk.reject', runId: 'r-1', log: { level: 'LOG_LEVEL_UNSPECIFIED', message: 'no level' } });
    await logger.flush();
    for (let i = 0; i < 10; i++) run.log.info(`b ${i}`);
    const stats = await logger.close();
    assert.deepEqual(rejected, [['INVALID_ARGUMENT', 1]]);
    assert.deepEqual([stats.acked, stats.rejected], [20, 1]);
    const stored = await waitUntil(
      async () => {
        const messages: string[] = [];
        for await (const record of client.iterateLogs({ filter: { workflowId: 'sdk.reject' } })) messages.push(record.event!.log!.message);
        return messages;
      },
      (messages) => messages.length >= 20,
      { what: 'the accepted batches' },
    );
    assert.deepEqual(stored, [...Array.from({ length: 10 }, (_, i) => `a ${i}`), ...Array.from({ length: 10 }, (_, i) => `b ${i}`)]);
  });
});

describe('credentials and metadata', () => {
  test('the token and the metadata reach the server on every call', async () => {
    // A real gRPC server on loopback that answers GetRun with the metadata it received.
    const server = new grpc.Server();
    const seen: grpc.Metadata[] = [];
    server.addService(contract().proto.runlog.v1.QueryService.service, {
      GetRun(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
        seen.push(call.metadata);
        callback(null, { run: { summary: { workflowId: 'w', runId: 'r' } } });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    let tokens = 0;
    const withToken = new RunlogClient({ queryAddress: `127.0.0.1:${port}`, token: () => `t-${++tokens}`, metadata: { 'x-team': 'data' } });
    try {
      await withToken.getRun('w', 'r');
      await withToken.getRun('w', 'r', { metadata: { 'x-call': 'two' } });
    } finally {
      withToken.close();
      server.forceShutdown();
    }
    assert.deepEqual(seen.map((m) => m.get('authorization')[0]), ['Bearer t-1', 'Bearer t-2']);
    assert.deepEqual(seen.map((m) => m.get('x-team')[0]), ['data', 'data']);
    assert.equal(seen[1].get('x-call')[0], 'two');
  });
});

describe('subscribe', () => {
  test('history then live; ends when aborted', async () => {
    await seedRun('sdk.sub', 'r-1', 10);
    const controller = new AbortController();
    const kinds: string[] = [];
    let appendedLive = false;
    for await (const event of client.subscribe({ filter: { workflowId: 'sdk.sub' }, fromBeginning: true }, { signal: controller.signal })) {
      kinds.push(event.event!.kind!);
      if (kinds.length === 14 && !appendedLive) {
        appendedLive = true;
        await client.append({ events: [{ workflowId: 'sdk.sub', runId: 'r-1', runStatus: { status: 'STATUS_COMPLETED' } }] });
      }
      if (kinds.length === 15) controller.abort();
    }
    assert.equal(kinds.length, 15);
    assert.equal(kinds[0], 'runStarted');
    assert.equal(kinds[14], 'runStatus');
  });

  test('the query service restarted twice under load: the events are exactly the stored ones, in order', async () => {
    const total = 3000;
    const logger = client.logger({ maxBatchEvents: 50, flushIntervalMs: 5 });
    const run = logger.startRun({ workflowId: 'sdk.restart', runId: 'r-1' });
    const controller = new AbortController();
    const reconnects: string[] = [];
    const received: string[] = [];
    const reading = (async () => {
      for await (const event of client.subscribe({ filter: { workflowId: 'sdk.restart', kinds: ['EVENT_KIND_LOG'] }, fromBeginning: true }, {
        signal: controller.signal,
        initialDelayMs: 50,
        maxDelayMs: 200,
        onReconnect: (error) => reconnects.push(Code[error.code]),
      })) {
        received.push(event.event!.log!.message);
        if (received.length === total) controller.abort();
      }
    })();
    // Logging goes on while the service restarts: part of the events is history, part live, for each reopened call.
    let next = 0;
    const writeSome = (count: number) => {
      for (const end = Math.min(total, next + count); next < end; next++) run.log.info(`m ${next}`);
    };
    writeSome(1000);
    await waitUntil(() => received.length, (n) => n >= 300, { what: 'the first events' });
    await stack.restartQuery();
    writeSome(1000);
    await waitUntil(() => received.length, (n) => n >= 1500, { what: 'events after the first restart' });
    await stack.restartQuery();
    writeSome(1000);
    await logger.close();
    await reading;
    assert.ok(reconnects.length >= 2, `reconnected ${reconnects.length} times`);
    assert.deepEqual(received, Array.from({ length: total }, (_, i) => `m ${i}`));
  });
});
