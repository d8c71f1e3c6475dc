// Where each recent run's events lie in the stream, held in memory: a read of one run skips the run_extents scan, which grows with the partition.
import type { DuckDBConnection } from '@duckdb/node-api';
import { useEntry } from './recently-used.js';

/** The first and last stream sequence holding an event of the run. */
export interface SeqExtent {
  first: number;
  last: number;
}

const keyOf = (workflowId: string, runId: string) => `${workflowId}\u0000${runId}`;

/** A run_extents row's ids and sequences (columns as in schema.sql). */
/** Where a run's events of one committed batch lie. */
export interface CommittedExtent {
  ids: { workflowId: string; runId: string };
  firstSeq: number;
  lastSeq: number;
}

/**
 * The extents of up to `maxRuns` runs, least recently used dropped first. An extent only ever
 * widens (insert-only), so every source of one, the store or a commit, is merged by min/max: merging
 * one twice, or in any order, gives the same extent. A held extent is whole: it covers every event
 * of the run the store holds.
 *
 * `load` reads the most recent runs at start. While nothing was dropped and the load held every run
 * of the store, a run not held has no events: the cache is `whole`, and a commit's new run starts an
 * entry. After that, a run not held is read from the store once (`extentOf`).
 */
export class RunExtents {
  private readonly runs = new Map<string, SeqExtent>();
  /** Reads from the store under way: the extents committed meanwhile, of their run (or of all runs, for the load), merged after. */
  private readonly collectors = new Set<Collector>();
  private loaded = false;
  /** Some run of the store may be missing: the load did not take them all, or one was dropped since. */
  private partial = false;

  constructor(private readonly maxRuns: number) {}

  /** Reads the extents of the `maxRuns` runs with the latest events; until it is done, runs are read one by one. */
  async load(connection: DuckDBConnection): Promise<void> {
    const collector: Collector = { extents: [] };
    this.collectors.add(collector);
    try {
      const reader = await connection.runAndReadAll(
        `SELECT workflow_id, run_id, min(first_seq)::DOUBLE, max(last_seq)::DOUBLE AS last FROM run_extents GROUP BY ALL ORDER BY last DESC LIMIT ${this.maxRuns + 1}`,
      );
      const [workflows, runs, firsts, lasts] = reader.getColumnsJS() as [string[], string[], number[], number[]];
      const count = Math.min(workflows.length, this.maxRuns);
      // Oldest first, so that the most recent are the last to be dropped.
      for (let i = count - 1; i >= 0; i--) this.merge(keyOf(workflows[i], runs[i]), firsts[i], lasts[i], true);
      if (workflows.length > this.maxRuns) this.partial = true;
      this.loaded = true;
      // A run the read did not see had no events then: all of them are in the batches committed meanwhile.
      for (const [key, extent] of collector.extents) this.merge(key, extent.first, extent.last, this.whole);
    } finally {
      this.collectors.delete(collector);
    }
  }

  /** Every run of the store is held: one not held has no events. */
  private get whole(): boolean {
    return this.loaded && !this.partial;
  }

  /** Called right after each commit, in the same turn as the watermark, with the batch's extents. */
  record(extents: readonly CommittedExtent[]): void {
    for (const { ids, firstSeq: first, lastSeq: last } of extents) {
      const key = keyOf(ids.workflowId, ids.runId);
      for (const collector of this.collectors) if (collector.key === undefined || collector.key === key) collector.extents.push([key, { first, last }]);
      this.merge(key, first, last, this.whole);
    }
  }

  /** The run's extent, or null when the partition holds no event of it. */
  async extentOf(connection: DuckDBConnection, workflowId: string, runId: string): Promise<SeqExtent | null> {
    const key = keyOf(workflowId, runId);
    const held = useEntry(this.runs, key);
    if (held) return held;
    if (this.whole) return null;
    // Collecting starts before the read: a batch committed while it runs is in the read, in the
    // collected extents, or both, and merging both is harmless.
    const collector: Collector = { key, extents: [] };
    this.collectors.add(collector);
    try {
      const reader = await connection.runAndReadAll('SELECT min(first_seq)::DOUBLE, max(last_seq)::DOUBLE FROM run_extents WHERE workflow_id = ? AND run_id = ?', [workflowId, runId]);
      const [[first, last]] = reader.getRows() as [[number | null, number | null]];
      let extent: SeqExtent | null = first === null || last === null ? null : { first, last };
      for (const [, collected] of collector.extents) extent = extent ? { first: Math.min(extent.first, collected.first), last: Math.max(extent.last, collected.last) } : collected;
      return extent && this.merge(key, extent.first, extent.last, true);
    } finally {
      this.collectors.delete(collector);
    }
  }

  /** Widens the run's held extent; `start`: hold it when it is not held yet (the extent given is whole). */
  private merge(key: string, first: number, last: number, start: boolean): SeqExtent | null {
    const held = this.runs.get(key);
    if (held) {
      held.first = Math.min(held.first, first);
      held.last = Math.max(held.last, last);
      return held;
    }
    if (!start) return null;
    const extent = { first, last };
    this.runs.set(key, extent);
    if (this.runs.size > this.maxRuns) {
      this.runs.delete(this.runs.keys().next().value as string);
      this.partial = true;
    }
    return extent;
  }
}

/** Extents committed while a read of the store runs: of one run (`key`), or of all. */
interface Collector {
  key?: string;
  extents: [string, SeqExtent][];
}
