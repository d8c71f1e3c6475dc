// Where each run's step snapshots lie in the stream, held in memory: timelines resolve without scanning `steps`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { positionLiteral } from '../read/sql.js';
import { StepRowCache } from './step-row-cache.js';
import { useEntry } from './recently-used.js';

/** A run's step rows in stream order: step numbers and their positions, one entry per row. */
export interface RunSteps {
  readonly steps: number[];
  readonly seqs: number[];
  readonly idxs: number[];
  /** Every row of the run at or below this sequence is here: record() adds only rows above it. */
  upTo: number;
}

/** One stored step snapshot: its run, step number and stream position. */
export interface StepPosition {
  workflowId: string;
  runId: string;
  step: number;
  seq: number;
  idx: number;
}

const keyOf = (workflowId: string, runId: string) => `${workflowId}\u0000${runId}`;

/**
 * The positions of the step rows of recently used runs, least recently used dropped past
 * `maxRows`. Rows never change (insert-only), so a run read once is kept current by the writer
 * alone: `record` adds each committed batch's rows. A read resolves against `indexedSeq`, the
 * last batch recorded, and reads from DuckDB only rows at or below it, so what it answers is
 * exactly the store as of that sequence.
 */
export class StepIndex {
  private readonly runs = new Map<string, RunSteps>();
  /** Runs being read from the store: rows committed meanwhile are collected here, then merged. */
  private readonly filling = new Map<string, StepPosition[]>();
  private readonly loads = new Map<string, Promise<RunSteps>>();
  private rowCount = 0;
  private indexed: number;
  /** The rows themselves, of the steps read lately. */
  readonly rowCache = new StepRowCache();

  constructor(
    private readonly maxRows: number,
    watermark: number,
  ) {
    this.indexed = watermark;
  }

  /** Every batch up to this sequence is recorded. */
  get indexedSeq(): number {
    return this.indexed;
  }

  /** Called right after each commit with the batch's step rows, in stream order, and its highest sequence. */
  record(steps: readonly StepPosition[], watermark: number): void {
    if (watermark <= this.indexed) return;
    if (this.runs.size > 0 || this.filling.size > 0) {
      for (const row of steps) {
        if (row.seq <= this.indexed) continue;
        const key = keyOf(row.workflowId, row.runId);
        const held = this.runs.get(key);
        if (held && row.seq > held.upTo) {
          held.steps.push(row.step);
          held.seqs.push(row.seq);
          held.idxs.push(row.idx);
          this.rowCount++;
        } else if (!held) {
          this.filling.get(key)?.push(row);
        }
      }
      this.evict();
    }
    this.indexed = watermark;
  }

  /** The run's rows, read from the store once (from `firstSeq`, its first event) when not held. */
  rowsOf(connection: DuckDBConnection, workflowId: string, runId: string, firstSeq: bigint): Promise<RunSteps> {
    const key = keyOf(workflowId, runId);
    const held = useEntry(this.runs, key);
    if (held) return Promise.resolve(held);
    let load = this.loads.get(key);
    if (!load) {
      load = this.load(connection, key, workflowId, runId, firstSeq).finally(() => this.loads.delete(key));
      this.loads.set(key, load);
    }
    return load;
  }

  private async load(connection: DuckDBConnection, key: string, workflowId: string, runId: string, firstSeq: bigint): Promise<RunSteps> {
    // Collecting starts before the read: a batch committed while it runs is in the read, in the
    // collected rows, or both (then the read's watermark tells which to keep).
    const committedMeanwhile: StepPosition[] = [];
    this.filling.set(key, committedMeanwhile);
    try {
      // One statement, one snapshot: the rows and the watermark they are complete up to (the row with step -1).
      const reader = await connection.runAndReadAll(
        `SELECT step::DOUBLE AS step, seq::DOUBLE AS seq, idx::DOUBLE AS idx FROM steps WHERE workflow_id = ? AND run_id = ? AND seq >= ${positionLiteral(firstSeq)}
         UNION ALL SELECT -1, coalesce(max(seq), 0)::DOUBLE, 0 FROM applied
         ORDER BY seq, idx`,
        [workflowId, runId],
      );
      const [steps, seqs, idxs] = reader.getColumnsJS() as number[][];
      const run: RunSteps = { steps: [], seqs: [], idxs: [], upTo: 0 };
      let readUpTo = 0;
      for (let i = 0; i < steps.length; i++) {
        if (steps[i] === -1) {
          readUpTo = Math.max(readUpTo, seqs[i]);
          continue;
        }
        run.steps.push(steps[i]);
        run.seqs.push(seqs[i]);
        run.idxs.push(idxs[i]);
      }
      for (const row of committedMeanwhile) {
        if (row.seq <= readUpTo) continue;
        run.steps.push(row.step);
        run.seqs.push(row.seq);
        run.idxs.push(row.idx);
      }
      // Every batch recorded so far went into the read or into committedMeanwhile.
      run.upTo = Math.max(readUpTo, this.indexed);
      this.runs.set(key, run);
      this.rowCount += run.steps.length;
      this.evict();
      return run;
    } finally {
      this.filling.delete(key);
    }
  }

  private evict(): void {
    for (const [key, run] of this.runs) {
      if (this.rowCount <= this.maxRows) return;
      this.runs.delete(key);
      this.rowCount -= run.steps.length;
    }
  }
}
