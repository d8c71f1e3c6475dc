// The persister's time-travel reads on a DuckDB file fed in-process: the timeline rule, lineage cut-offs, budgets and chunks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readLineage, readSteps, readStepState } from '../services/persister/read/steps.js';
import { STATE_CHUNK_CHARS, type StepSelection, type StepsRequest, type StepsResult } from '../services/common/read-steps-protocol.js';
import { InProcessPartition, runStarted, stateAt, stepEvent, stepEvents } from './helpers/state-events.js';

const WF = 'wf.time-travel';

let partition: InProcessPartition;
before(async () => {
  partition = await InProcessPartition.open();
});
after(() => partition.close());

const steps = (runId: string, select: StepSelection, extra: Omit<StepsRequest, 'op' | 'workflowId' | 'runId' | 'select'> = {}) =>
  readSteps(partition.connection, { op: 'steps', workflowId: WF, runId, select, ...extra }, partition.store);
const listAll = async (runId: string): Promise<StepsResult['items']> => {
  const result = await steps(runId, { kind: 'after', afterStep: -1, limit: 1000 });
  assert.equal(result.more, false);
  return result.items;
};
/** A fork as the query service writes it: its own RunStarted naming the parent and the fork step. */
const fork = (runId: string, parentRunId: string, forkStep: number) => {
  const started = runStarted(WF, runId);
  started.runStarted!.parentRunId = parentRunId;
  started.runStarted!.forkStep = forkStep;
  return partition.write([started]);
};

describe('the timeline rule', () => {
  test('a plain run: latest, one step, pages in order', async () => {
    await partition.write([runStarted(WF, 'plain'), ...stepEvents(WF, 'plain', 0, 9)]);
    const latest = await steps('plain', { kind: 'latest' });
    assert.equal(latest.found, true);
    assert.equal(latest.headStep, 9);
    assert.equal(latest.items[0].state, stateAt('plain', 9));
    const at4 = await steps('plain', { kind: 'at', step: 4 });
    assert.deepEqual([at4.items[0].step, at4.items[0].state, at4.items[0].awaitingInput], [4, stateAt('plain', 4), true]);
    const page = await steps('plain', { kind: 'after', afterStep: 2, limit: 3 });
    assert.deepEqual(page.items.map((item) => item.step), [3, 4, 5]);
    assert.equal(page.more, true);
    assert.deepEqual((await steps('plain', { kind: 'at', step: 10 })).items, []);
  });

  test('writing an earlier step again makes it the head; later rows stay stored as history', async () => {
    await partition.write([runStarted(WF, 'rewound'), ...stepEvents(WF, 'rewound', 0, 9)]);
    await partition.write([stepEvent(WF, 'rewound', 5, { timeline: 'marker' })]);
    let listed = await listAll('rewound');
    assert.deepEqual(listed.map((item) => item.step), [0, 1, 2, 3, 4, 5]);
    assert.equal(listed[5].state, stateAt('rewound', 5, 'marker'));
    await partition.write(stepEvents(WF, 'rewound', 6, 7, { timeline: 'b' }));
    listed = await listAll('rewound');
    assert.deepEqual(listed.map((item) => item.state), [
      ...[0, 1, 2, 3, 4].map((step) => stateAt('rewound', step)),
      stateAt('rewound', 5, 'marker'),
      stateAt('rewound', 6, 'b'),
      stateAt('rewound', 7, 'b'),
    ]);
    // Insert-only: every row ever written is stored, in the order written, the superseded 5..9
    // of the first timeline included; only the reads follow the latest timeline.
    const stored = await partition.connection.runAndReadAll(
      `SELECT step::INTEGER, state FROM steps WHERE workflow_id = '${WF}' AND run_id = 'rewound' ORDER BY seq, idx`,
    );
    assert.deepEqual(stored.getRows(), [
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((step) => [step, stateAt('rewound', step)]),
      [5, stateAt('rewound', 5, 'marker')],
      [6, stateAt('rewound', 6, 'b')],
      [7, stateAt('rewound', 7, 'b')],
    ]);
  });

  test('a fork reads its parent up to the fork step, as the parent was when it forked', async () => {
    await partition.write([runStarted(WF, 'parent'), ...stepEvents(WF, 'parent', 0, 20)]);
    await fork('child', 'parent', 10);
    // The parent goes on after the fork, and is even rewound below the fork step: the child must not notice.
    await partition.write([stepEvent(WF, 'parent', 4, { timeline: 'later' }), ...stepEvents(WF, 'parent', 5, 8, { timeline: 'later' })]);
    let child = await listAll('child');
    assert.deepEqual(child.map((item) => item.step), [...Array(11).keys()]);
    assert.ok(child.every((item) => item.sourceRunId === 'parent' && item.state === stateAt('parent', item.step)));
    await partition.write(stepEvents(WF, 'child', 11, 12, { timeline: 'child' }));
    child = await listAll('child');
    assert.deepEqual(child.map((item) => item.sourceRunId).slice(9), ['parent', 'parent', 'child', 'child']);
    // The parent's own timeline is its latest: 0..3 as first written, 4..8 rewritten.
    const parent = await listAll('parent');
    assert.deepEqual(parent.map((item) => item.state), [
      ...[0, 1, 2, 3].map((step) => stateAt('parent', step)),
      ...[4, 5, 6, 7, 8].map((step) => stateAt('parent', step, 'later')),
    ]);
  });

  test('a fork of a fork, and a fork resumed below its fork step', async () => {
    await partition.write([runStarted(WF, 'root'), ...stepEvents(WF, 'root', 0, 30)]);
    await fork('mid', 'root', 20);
    await partition.write(stepEvents(WF, 'mid', 21, 25, { timeline: 'mid' }));
    await fork('leaf', 'mid', 23);
    await partition.write(stepEvents(WF, 'mid', 26, 27, { timeline: 'mid' }));
    await partition.write(stepEvents(WF, 'leaf', 24, 24, { timeline: 'leaf' }));
    const leaf = await listAll('leaf');
    assert.deepEqual(leaf.map((item) => item.step), [...Array(25).keys()]);
    assert.deepEqual(leaf.map((item) => item.sourceRunId), [...Array(21).fill('root'), 'mid', 'mid', 'mid', 'leaf']);
    assert.equal((await steps('leaf', { kind: 'latest' })).headStep, 24);
    const chain = (await steps('leaf', { kind: 'latest' })).chain;
    assert.deepEqual(chain.map((link) => [link.runId, link.parentRunId, link.forkStep]), [['leaf', 'mid', 23], ['mid', 'root', 20], ['root', '', null]]);
    // Resuming mid at step 15 (a marker row) cuts what it shows to 0..15; leaf forked before that and keeps 0..23.
    await partition.write([stepEvent(WF, 'mid', 15, { timeline: 'marker' })]);
    assert.deepEqual((await listAll('mid')).map((item) => item.sourceRunId), [...Array(15).fill('root'), 'mid']);
    assert.equal((await listAll('leaf')).length, 25);
  });

  test('a fork with no step of its own has the fork step as its head; past it is out of range', async () => {
    await partition.write([runStarted(WF, 'base'), ...stepEvents(WF, 'base', 0, 5)]);
    await fork('bare', 'base', 3);
    const latest = await steps('bare', { kind: 'latest' });
    assert.deepEqual([latest.headStep, latest.items[0].step, latest.items[0].sourceRunId], [3, 3, 'base']);
    assert.deepEqual((await steps('bare', { kind: 'at', step: 4 })).items, []);
  });

  test('unknown runs and runs without steps', async () => {
    const unknown = await steps('nobody', { kind: 'latest' });
    assert.deepEqual([unknown.found, unknown.headStep], [false, null]);
    await partition.write([runStarted(WF, 'stepless')]);
    const stepless = await steps('stepless', { kind: 'latest' });
    assert.deepEqual([stepless.found, stepless.headStep, stepless.items], [true, null, []]);
    const info = await steps('stepless', { kind: 'latest' }, { withStarted: true });
    assert.deepEqual(info.started?.runStarted?.nodeIds, ['start', 'work', 'end']);
    const exist = await steps('stepless', { kind: 'latest' }, { lookFor: ['nobody', 'plain', 'stepless'] });
    assert.deepEqual(exist.existingRunIds?.sort(), ['plain', 'stepless']);
  });
});

describe('resume validation', () => {
  test('lists nodes recorded up to the step that the definition lacks, first recorded first', async () => {
    await partition.write([
      runStarted(WF, 'nodes'),
      stepEvent(WF, 'nodes', 0, { nodeId: 'start', processed: ['start'] }),
      stepEvent(WF, 'nodes', 1, { nodeId: 'load', processed: ['start', 'load'], waiting: ['approve'] }),
      stepEvent(WF, 'nodes', 2, { nodeId: 'train', processed: ['start', 'load', 'train'] }),
    ]);
    const check = async (step: number, definedNodeIds: string[]) =>
      (await steps('nodes', { kind: 'at', step }, { definedNodeIds, omitState: true })).missingNodeIds;
    assert.deepEqual(await check(2, ['start']), ['load', 'approve', 'train']);
    assert.deepEqual(await check(1, ['start']), ['load', 'approve']);
    assert.deepEqual(await check(2, ['start', 'load', 'train', 'approve', 'brand-new']), []);
    assert.deepEqual(await check(0, []), ['start']);
  });
});

describe('budgets', () => {
  test('a page stops near 1 MiB of states; a state above 1 MiB travels in chunks', async () => {
    const big = (step: number, bytes: number) => stepEvent(WF, 'heavy', step, { state: JSON.stringify({ step, pad: 'é'.repeat(bytes / 2) }) });
    await partition.write([runStarted(WF, 'heavy'), big(0, 400_000), big(1, 400_000), big(2, 400_000), big(3, 400_000), big(4, 3_000_000), big(5, 10)]);
    const first = await steps('heavy', { kind: 'after', afterStep: -1, limit: 100 });
    assert.deepEqual(first.items.map((item) => item.step), [0, 1, 2]);
    assert.equal(first.more, true);
    const second = await steps('heavy', { kind: 'after', afterStep: 2, limit: 100 });
    assert.deepEqual(second.items.map((item) => [item.step, item.state !== undefined]), [[3, true], [4, false]]);
    const huge = second.items[1];
    let text = '';
    while (text.length < huge.stateChars) {
      const chunk = await readStepState(partition.connection, { op: 'stepState', workflowId: WF, seq: huge.seq, idx: huge.idx, offsetChars: text.length });
      assert.ok(chunk.text.length <= STATE_CHUNK_CHARS);
      text += chunk.text;
    }
    assert.equal(JSON.parse(text).pad.length, 1_500_000);
    const light = await steps('heavy', { kind: 'after', afterStep: -1, limit: 100 }, { omitState: true });
    assert.equal(light.items.length, 6);
    assert.ok(light.items.every((item) => item.state === undefined));
  });
});

describe('lineage', () => {
  test('ancestors to the root and every fork below, with status', async () => {
    await partition.write([runStarted(WF, 'tree-root'), ...stepEvents(WF, 'tree-root', 0, 3)]);
    await fork('tree-a', 'tree-root', 1);
    await fork('tree-b', 'tree-root', 2);
    await fork('tree-a1', 'tree-a', 1);
    await partition.write([{ workflowId: WF, runId: 'tree-a', runStatus: { status: 'STATUS_RUNNING' } }]);
    const lineage = await readLineage(partition.connection, { op: 'lineage', workflowId: WF, runId: 'tree-a' });
    assert.deepEqual(lineage.ancestors.map((entry) => entry.runId), ['tree-root']);
    assert.deepEqual([lineage.self.runId, lineage.self.parentRunId, lineage.self.forkStep, lineage.self.status], ['tree-a', 'tree-root', 1, 'RUNNING']);
    assert.deepEqual(lineage.descendants.map((entry) => [entry.runId, entry.parentRunId]), [['tree-a1', 'tree-a']]);
    const fromRoot = await readLineage(partition.connection, { op: 'lineage', workflowId: WF, runId: 'tree-root' });
    assert.deepEqual(fromRoot.descendants.map((entry) => entry.runId), ['tree-a', 'tree-b', 'tree-a1']);
  });
});
