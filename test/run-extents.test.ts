// The persister's in-memory run extents: always whole (never narrower than the store's run_extents), loaded at start, kept current by the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunExtents } from '../services/persister/index/run-extents.js';
import { InProcessPartition, runStarted } from './helpers/state-events.js';

/** The run's extent as the store's run_extents table gives it. */
async function storedExtent(partition: InProcessPartition, workflowId: string, runId: string) {
  const reader = await partition.connection.runAndReadAll('SELECT min(first_seq)::DOUBLE, max(last_seq)::DOUBLE FROM run_extents WHERE workflow_id = ? AND run_id = ?', [workflowId, runId]);
  const [[first, last]] = reader.getRows() as [[number | null, number | null]];
  return first === null ? null : { first, last };
}

/** A run_extents row of a commit (columns as in schema.sql). */
const committedExtent = (workflowId: string, runId: string, first: number, last: number) => ({ ids: { workflowId, runId }, firstSeq: first, lastSeq: last });

test('loaded at start, it holds every run whole; a run it does not hold has no events; commits widen and add runs', async () => {
  const partition = await InProcessPartition.open();
  try {
    for (const run of ['a', 'b', 'c']) await partition.write([runStarted('wf.extents', run)]);
    await partition.write([runStarted('wf.extents', 'a')]);
    const extents = new RunExtents(10);
    await extents.load(partition.connection);
    for (const run of ['a', 'b', 'c']) assert.deepEqual({ ...(await extents.extentOf(partition.connection, 'wf.extents', run)) }, await storedExtent(partition, 'wf.extents', run), run);
    assert.deepEqual(await extents.extentOf(partition.connection, 'wf.extents', 'a'), { first: 1, last: 4 });
    assert.equal(await extents.extentOf(partition.connection, 'wf.extents', 'never'), null);
    assert.equal(await extents.extentOf(partition.connection, 'other', 'a'), null);
    extents.record([committedExtent('wf.extents', 'b', 9, 9), committedExtent('wf.extents', 'new', 9, 10)]);
    assert.deepEqual(await extents.extentOf(partition.connection, 'wf.extents', 'b'), { first: 2, last: 9 });
    assert.deepEqual(await extents.extentOf(partition.connection, 'wf.extents', 'new'), { first: 9, last: 10 });
  } finally {
    partition.close();
  }
});

test('past its size it drops the least recently used run and reads runs it does not hold from the store, whole', async () => {
  const partition = await InProcessPartition.open();
  try {
    for (let i = 0; i < 8; i++) await partition.write([runStarted('wf.small', `run-${i}`)]);
    await partition.write([runStarted('wf.small', 'run-0')]);
    const extents = new RunExtents(3);
    await extents.load(partition.connection);
    for (let i = 0; i < 8; i++) assert.deepEqual({ ...(await extents.extentOf(partition.connection, 'wf.small', `run-${i}`)) }, await storedExtent(partition, 'wf.small', `run-${i}`), `run-${i}`);
    assert.equal(await extents.extentOf(partition.connection, 'wf.small', 'never'), null);
    // Not held, so a commit of it cannot start an entry: its earlier events may be in the store.
    extents.record([committedExtent('wf.small', 'run-1', 20, 20)]);
    for (let i = 2; i < 8; i++) await extents.extentOf(partition.connection, 'wf.small', `run-${i}`);
    // run-1 is read from the store, which holds only what was really stored: nothing at 20.
    assert.deepEqual(await extents.extentOf(partition.connection, 'wf.small', 'run-1'), { first: 2, last: 2 });
  } finally {
    partition.close();
  }
});

test('a commit while a run is read from the store, or while the load runs, is merged into what the read returns', async () => {
  const partition = await InProcessPartition.open();
  try {
    await partition.write([runStarted('wf.race', 'stored')]);
    const extents = new RunExtents(0);
    const reading = extents.extentOf(partition.connection, 'wf.race', 'stored');
    extents.record([committedExtent('wf.race', 'stored', 50, 51)]);
    assert.deepEqual(await reading, { first: 1, last: 51 });
    const unstored = extents.extentOf(partition.connection, 'wf.race', 'first-events-now');
    extents.record([committedExtent('wf.race', 'first-events-now', 60, 60)]);
    assert.deepEqual(await unstored, { first: 60, last: 60 });

    const loading = new RunExtents(10);
    const load = loading.load(partition.connection);
    loading.record([committedExtent('wf.race', 'stored', 70, 70), committedExtent('wf.race', 'during-load', 71, 72)]);
    await load;
    assert.deepEqual(await loading.extentOf(partition.connection, 'wf.race', 'stored'), { first: 1, last: 70 });
    assert.deepEqual(await loading.extentOf(partition.connection, 'wf.race', 'during-load'), { first: 71, last: 72 });
  } finally {
    partition.close();
  }
});

test("the store's own extents (loaded in the background at open) follow every commit", async () => {
  const partition = await InProcessPartition.open();
  try {
    const first = await partition.write([runStarted('wf.store', 'r')]);
    const last = await partition.write([runStarted('wf.store', 'r')]);
    assert.deepEqual({ ...(await partition.store.runExtents.extentOf(partition.connection, 'wf.store', 'r')) }, { first, last });
    assert.equal(await partition.store.runExtents.extentOf(partition.connection, 'wf.store', 'none'), null);
  } finally {
    partition.close();
  }
});
