// The persister's in-memory step index against a real DuckDB file: reads that race commits, eviction.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StepIndex, type StepPosition } from '../services/persister/index/step-index.js';
import type { StoredMessage } from '../services/persister/write/partition-store.js';
import { InProcessPartition, stepEvent, stepEvents } from './helpers/state-events.js';

const WF = 'wf.step-index';

let partition: InProcessPartition;
before(async () => {
  partition = await InProcessPartition.open();
});
after(() => partition.close());

/** What the writer hands the index after committing the batch. */
function record(index: StepIndex, batch: StoredMessage[]): void {
  const steps: StepPosition[] = batch.flatMap((message) =>
    message.events.flatMap((event, idx) => (event.step ? [{ workflowId: event.workflowId, runId: event.runId, step: Number(event.step.step), seq: message.seq, idx }] : [])),
  );
  index.record(steps, batch[batch.length - 1].seq);
}

const positions = (run: { steps: number[]; seqs: number[]; idxs: number[] }) => run.steps.map((step, i) => [step, run.seqs[i], run.idxs[i]]);

test('a run read while batches commit holds every row once, in stream order', async () => {
  const first = await partition.write(stepEvents(WF, 'racing', 0, 2));
  // Committed but not yet recorded when the read starts: the read sees it, the index must not add it twice.
  const seenByRead = partition.batch([stepEvent(WF, 'racing', 3)]);
  await partition.store.applyBatch(seenByRead);
  const index = new StepIndex(1000, first);
  const reading = index.rowsOf(partition.connection, WF, 'racing', 0n);
  record(index, seenByRead);
  // Recorded while the read runs but committed after its snapshot (never stored here): only the index has it.
  const afterRead = partition.batch([stepEvent(WF, 'racing', 4), stepEvent(WF, 'other', 0), stepEvent(WF, 'racing', 5)]);
  record(index, afterRead);
  const run = await reading;
  const [s3, s4] = [seenByRead[0].seq, afterRead[0].seq];
  assert.deepEqual(positions(run), [[0, first, 0], [1, first, 1], [2, first, 2], [3, s3, 0], [4, s4, 0], [5, s4, 2]]);
  assert.equal(index.indexedSeq, s4);
  // From now on each recorded batch adds its rows.
  const later = partition.batch([stepEvent(WF, 'racing', 2)]);
  record(index, later);
  assert.deepEqual(positions(await index.rowsOf(partition.connection, WF, 'racing', 0n)).at(-1), [2, later[0].seq, 0]);
  assert.equal(index.indexedSeq, later[0].seq);
});

test('past its size the least recently used run goes, and is read again when asked for', async () => {
  await partition.write(stepEvents(WF, 'big-a', 0, 5));
  await partition.write(stepEvents(WF, 'big-b', 0, 5));
  const index = new StepIndex(8, partition.store.watermark);
  const a = await index.rowsOf(partition.connection, WF, 'big-a', 0n);
  assert.equal(a.steps.length, 6);
  await index.rowsOf(partition.connection, WF, 'big-b', 0n);
  // big-a was evicted: records of it are no longer kept...
  const more = partition.batch([stepEvent(WF, 'big-a', 6)]);
  await partition.store.applyBatch(more);
  record(index, more);
  assert.equal(a.steps.length, 6);
  // ...and it is read again, whole, from the store.
  assert.deepEqual((await index.rowsOf(partition.connection, WF, 'big-a', 0n)).steps, [0, 1, 2, 3, 4, 5, 6]);
});
