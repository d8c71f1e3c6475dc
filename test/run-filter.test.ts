// The persister's Bloom filter of runs: never a false "no", loaded from the store, kept current by the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunFilter } from '../services/persister/index/run-filter.js';
import { InProcessPartition, runStarted } from './helpers/state-events.js';
import { waitUntil } from './helpers/wait.js';

test('every run added may be held (no false "no"), across ids of every shape', () => {
  const filter = new RunFilter();
  const ids = Array.from({ length: 20_000 }, (_, i) => [`wf-${i % 37}`, `${i}-${'über/ß'.repeat(i % 3)}-${String.fromCodePoint(0x1f600 + (i % 50))}`]);
  for (const [workflowId, runId] of ids) filter.add(workflowId, runId);
  return (async () => {
    const partition = await InProcessPartition.open();
    try {
      await filter.load(partition.connection);
      for (const [workflowId, runId] of ids) assert.equal(filter.mayHold(workflowId, runId), true, `${workflowId}/${runId}`);
      const falseMaybes = Array.from({ length: 10_000 }, (_, i) => filter.mayHold('wf-0', `never-${i}`)).filter(Boolean).length;
      assert.ok(falseMaybes < 100, `${falseMaybes} false "maybe" answers of 10,000`);
    } finally {
      partition.close();
    }
  })();
});

test('until it has read the store every run may be held; then it knows the stored runs and the ones written since', async () => {
  const partition = await InProcessPartition.open();
  try {
    await partition.write([runStarted('wf.filter', 'stored-before')]);
    const filter = new RunFilter();
    assert.equal(filter.mayHold('wf.filter', 'anything'), true);
    await filter.load(partition.connection);
    assert.equal(filter.mayHold('wf.filter', 'stored-before'), true);
    assert.equal(filter.mayHold('wf.filter', 'anything'), false);
    // The store's own filter (loaded in the background at open) is added to with every commit.
    await waitUntil(() => partition.store.runFilter.mayHold('wf.filter', 'written-never'), (may) => !may, { timeoutMs: 10_000, intervalMs: 10, what: 'the store\'s run filter to load' });
    await partition.write([runStarted('wf.filter', 'written-after')]);
    assert.equal(partition.store.runFilter.mayHold('wf.filter', 'written-after'), true);
  } finally {
    partition.close();
  }
});
