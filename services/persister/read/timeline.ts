// A run's current timeline through its lineage, as a few small parameterised queries; the rule is in docs/TIME_TRAVEL.md.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { MAX_LINEAGE_DEPTH, MAX_MISSING_NODES, type LineageLink } from '../../common/read-steps-protocol.js';
import type { Event } from '../../common/gen/runlog/v1/Event.js';
import { str, KIND_COLUMNS, rowToStoredEvent, type JsonRow } from './stored-rows.js';
import { positionLiteral, selectRows, Where } from './sql.js';
import type { RunSteps, StepIndex } from '../index/step-index.js';
import type { StepRowCache } from '../index/step-row-cache.js';

/** Above every stream sequence: the run asked for sees all of its own rows. */
const NO_CUTOFF = 2n ** 64n - 1n;

const minBig = (a: bigint, b: bigint) => (a < b ? a : b);
/** Above every step number. */
const NO_STEP = 2n ** 62n;

/** What never changes about a run once stored: where its events start, and its first RunStarted's link. */
interface RunFacts {
  firstSeq: bigint;
  /** Null while the run has no RunStarted (then it is asked again next time). */
  link: { parentRunId: string; forkStep: number | null; startedSeq: number } | null;
  /** Its first RunStarted, once read and when small (what a fork inherits). */
  started?: Event;
}

// Facts are immutable once seen (insert-only tables, stream order), so this cache never goes
// stale; one per connection, since the read server hands each request a connection of its own.
const CACHED_RUNS = 100_000;
const caches = new WeakMap<DuckDBConnection, Map<string, RunFacts>>();

function factsCacheOf(connection: DuckDBConnection): Map<string, RunFacts> {
  let cache = caches.get(connection);
  if (!cache) caches.set(connection, (cache = new Map()));
  return cache;
}

async function runFacts(connection: DuckDBConnection, workflowId: string, runId: string): Promise<RunFacts | null> {
  const cache = factsCacheOf(connection);
  const key = `${workflowId}\u0000${runId}`;
  const cached = cache.get(key);
  if (cached?.link) return cached;
  const [row] = await selectRows(
    connection,
    // The first RunStarted wins: a later one (an agent restarting) cannot re-parent a run.
    `SELECT (SELECT min(first_seq) FROM run_extents WHERE workflow_id = ? AND run_id = ?)::VARCHAR AS first_seq,
            (SELECT {'seq': seq::VARCHAR, 'parent': parent_run_id, 'fork_step': fork_step} FROM runs
             WHERE workflow_id = ? AND run_id = ? ORDER BY seq, idx LIMIT 1) AS link`,
    [workflowId, runId, workflowId, runId],
  );
  if (!row || row.first_seq === null) return null;
  const link = row.link as { seq: string; parent: string | null; fork_step: string | null } | null;
  const facts: RunFacts = {
    firstSeq: BigInt(str(row.first_seq)),
    link: link ? { parentRunId: link.parent ?? '', forkStep: link.fork_step === null ? null : Number(link.fork_step), startedSeq: Number(link.seq) } : null,
  };
  if (cache.size >= CACHED_RUNS) cache.delete(cache.keys().next().value!);
  cache.set(key, facts);
  return facts;
}

// A RunStarted whose parameters and config are this large is read each time rather than kept.
const CACHED_STARTED_MAX_BYTES = 64 * 1024;

/** The run's first RunStarted (null when it sent none): lineage and a fork's inheritance go by it. */
export async function firstRunStarted(connection: DuckDBConnection, workflowId: string, runId: string): Promise<Event | null> {
  const facts = await runFacts(connection, workflowId, runId);
  if (!facts?.link) return null;
  if (facts.started) return facts.started;
  const where = new Where().add('workflow_id = ?', workflowId).add('run_id = ?', runId).add(`seq = ${positionLiteral(facts.link.startedSeq)}`);
  const [row] = await selectRows(connection, `SELECT ${KIND_COLUMNS.runStarted} FROM runs WHERE ${where} ORDER BY idx LIMIT 1`, where.values);
  if (!row) return null;
  const started = rowToStoredEvent('runStarted', row).event;
  if (Buffer.byteLength(JSON.stringify(started)) <= CACHED_STARTED_MAX_BYTES) facts.started = started;
  return started;
}

export interface Chain {
  /** The run and its ancestors, nearest first (an unknown ancestor ends it). */
  links: LineageLink[];
  /** The run has events in this partition. */
  found: boolean;
  /** The smallest stream sequence of the chain's events: the scans' zone-map bound. */
  firstSeq: bigint;
  /** Each link's own first stream sequence. */
  firstSeqs: bigint[];
}

/** Walks parent links from the run up to the root. */
export async function readChain(connection: DuckDBConnection, workflowId: string, runId: string): Promise<Chain> {
  const links: LineageLink[] = [];
  const firstSeqs: bigint[] = [];
  let firstSeq = NO_CUTOFF;
  let found = false;
  const seen = new Set<string>();
  let current: string | null = runId;
  // A cycle of agent-written parent ids ends the chain at its first repeat.
  while (current !== null && !seen.has(current) && links.length <= MAX_LINEAGE_DEPTH) {
    seen.add(current);
    const facts = await runFacts(connection, workflowId, current);
    if (links.length === 0) found = facts !== null;
    if (!facts) {
      if (links.length === 0) {
        links.push({ runId, parentRunId: '', forkStep: null, startedSeq: null });
        firstSeqs.push(NO_CUTOFF);
      }
      break;
    }
    firstSeq = minBig(firstSeq, facts.firstSeq);
    firstSeqs.push(facts.firstSeq);
    const link = facts.link;
    links.push({ runId: current, parentRunId: link?.parentRunId ?? '', forkStep: link?.forkStep ?? null, startedSeq: link?.startedSeq ?? null });
    current = link?.parentRunId || null;
  }
  return { links, found, firstSeq, firstSeqs };
}

/** One run of the chain that has rows counting in the timeline. */
interface Level {
  depth: number;
  runId: string;
  /** Its rows count when stored before this: the RunStarted of the nearest fork below it, or the read's watermark + 1. */
  cutoff: bigint;
  /** Its rows count up to this step: its own head, and the heads and fork steps of the runs nearer. */
  bound: bigint;
  /** Step of its newest counted row. */
  ownHead: bigint;
  /** Its step rows (from the index), of which the first `counted` are stored before the cutoff. */
  rows: RunSteps;
  counted: number;
}

/**
 * The current timeline of a run: each run of the chain counts its rows stored before its cutoff,
 * up to its bound; each step takes the newest row of the nearest run that has one.
 */
export class Timeline {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly workflowId: string,
    private readonly levels: Level[],
    private readonly firstSeq: bigint,
    private readonly rowCache: StepRowCache,
  ) {}

  /**
   * The timeline as stored up to `storedSeq`, resolved from the step index (no scan of `steps`).
   * Every later read of rows is bounded by the same cutoffs, so it agrees, whatever was committed since.
   */
  static async resolve(connection: DuckDBConnection, index: StepIndex, workflowId: string, chain: Chain, storedSeq: number): Promise<Timeline> {
    const levels: Level[] = [];
    let cutoff = BigInt(storedSeq) + 1n;
    let inherited = NO_STEP;
    for (const [depth, link] of chain.links.entries()) {
      // One at a time: a connection runs one statement at a time.
      const rows = await index.rowsOf(connection, workflowId, link.runId, chain.firstSeqs[depth]);
      const counted = countBelow(rows.seqs, Number(cutoff));
      if (counted > 0) {
        const ownHead = BigInt(rows.steps[counted - 1]);
        const bound = minBig(inherited, ownHead);
        levels.push({ depth, runId: link.runId, cutoff, bound, ownHead, rows, counted });
        inherited = bound;
      }
      if (link.forkStep !== null) inherited = minBig(inherited, BigInt(link.forkStep));
      if (link.startedSeq !== null) cutoff = minBig(cutoff, BigInt(link.startedSeq));
    }
    return new Timeline(connection, workflowId, levels, chain.firstSeq, index.rowCache);
  }

  /** Last step of the timeline; null when it has none. */
  head(): bigint | null {
    const nearest = this.levels[0];
    if (!nearest) return null;
    // The nearest run's own head is the timeline's head unless a fork step cut it off.
    if (nearest.bound === nearest.ownHead) return nearest.ownHead;
    let head = -1;
    for (const level of this.levels) {
      const bound = Number(level.bound);
      for (let i = 0; i < level.counted; i++) if (level.rows.steps[i] <= bound && level.rows.steps[i] > head) head = level.rows.steps[i];
    }
    return head < 0 ? null : BigInt(head);
  }

  /**
   * The row of one step (nearest level, then newest), with its state's size and, when at most
   * `inlineMaxBytes`, its text. Its position names it within the partition, so the statement needs
   * no parameter: DuckDB runs a statement without parameters in one step, not prepare, bind, run.
   */
  async oneStep(step: bigint, inlineMaxBytes: number): Promise<JsonRow | undefined> {
    const at = this.positionOf(Number(step));
    if (!at) return undefined;
    const kept = this.rowCache.get(at.seq, at.idx);
    if (kept) return Number(kept.state_bytes) <= inlineMaxBytes ? kept : { ...kept, state: null };
    const inline = Number.isSafeInteger(inlineMaxBytes) ? inlineMaxBytes : -1;
    const [row] = await selectRows(
      this.connection,
      `SELECT ${STEP_COLUMNS}, strlen(s.state)::VARCHAR AS state_bytes, length(s.state)::VARCHAR AS state_chars,
              CASE WHEN strlen(s.state) <= ${inline} THEN s.state END AS state
       FROM steps s WHERE s.seq = ${positionLiteral(at.seq)} AND s.idx = ${positionLiteral(at.idx)}`,
      [],
    );
    if (row && row.state !== null) this.rowCache.remember(at.seq, at.idx, row, Number(row.state_bytes));
    return row;
  }

  /** Where the step's winning row is stored: the nearest level that counts a row of it, its newest such row. */
  private positionOf(step: number): { seq: number; idx: number } | undefined {
    for (const level of this.levels) {
      if (step > Number(level.bound)) continue;
      const { steps, seqs, idxs } = level.rows;
      for (let i = level.counted - 1; i >= 0; i--) if (steps[i] === step) return { seq: seqs[i], idx: idxs[i] };
    }
    return undefined;
  }

  /** Rows of the steps after `afterStep`, by step, at most `limit`: metadata, no state. */
  rowsAfter(afterStep: bigint, limit: number): Promise<JsonRow[]> {
    const { sql, values } = this.resolved(new Where().add('s.step > ?', afterStep), STEP_COLUMNS);
    return selectRows(this.connection, `${sql} ORDER BY s.step LIMIT ${Math.floor(limit)}`, values);
  }

  /** Nodes recorded up to `lastStep` that the definition lacks, in the order they were first recorded. */
  async missingNodes(definedNodeIds: string[], lastStep: bigint): Promise<string[]> {
    const resolved = this.resolved(new Where().add('s.step <= ?', lastStep), 's.step, s.node_id, s.processed_node_ids, s.waiting_node_ids');
    const rows = await selectRows(
      this.connection,
      `WITH resolved AS (${resolved.sql}),
       recorded AS (
         SELECT step, 0 AS field, 0 AS pos, node_id AS node FROM resolved WHERE node_id <> ''
         UNION ALL SELECT step, 1, generate_subscripts(processed_node_ids, 1), unnest(processed_node_ids) FROM resolved
         UNION ALL SELECT step, 2, generate_subscripts(waiting_node_ids, 1), unnest(waiting_node_ids) FROM resolved)
       SELECT node FROM recorded WHERE node NOT IN (SELECT unnest(from_json(?, '["VARCHAR"]')))
       GROUP BY node ORDER BY min((step, field, pos)) LIMIT ${MAX_MISSING_NODES}`,
      [...resolved.values, JSON.stringify(definedNodeIds)],
    );
    return rows.map((row) => str(row.node));
  }

  /** Every row some level may contribute: its run, stored before its cutoff, at most its bound. */
  private candidates(): Where {
    const where = new Where().add('s.workflow_id = ?', this.workflowId).add(`s.seq >= ${positionLiteral(this.firstSeq)}`);
    const perLevel = this.levels.map((level) => `(s.run_id = ? AND s.seq < ${positionLiteral(level.cutoff)} AND s.step <= ?)`).join(' OR ');
    return where.add(`(${perLevel || 'FALSE'})`, ...this.levels.flatMap((level) => [level.runId, level.bound]));
  }

  /** An ORDER BY key: 0 for the nearest level, 1 for the next… */
  private nearestFirst(): { sql: string; values: DuckDBValue[] } {
    return {
      sql: `CASE s.run_id ${this.levels.map(() => 'WHEN ? THEN ?').join(' ')} END`,
      values: this.levels.flatMap((level) => [level.runId, level.depth]),
    };
  }

  /** The winning row of each step within `range`: nearest level first, then newest. */
  private resolved(range: Where, columns: string): { sql: string; values: DuckDBValue[] } {
    const where = this.candidates();
    const nearest = this.nearestFirst();
    return {
      sql: `SELECT ${columns} FROM steps s WHERE ${where} AND ${range}
            QUALIFY row_number() OVER (PARTITION BY s.step ORDER BY ${nearest.sql}, s.seq DESC, s.idx DESC) = 1`,
      values: [...where.values, ...range.values, ...nearest.values],
    };
  }
}

/** Which of the runs have events in the partition. */
export async function existingRuns(connection: DuckDBConnection, workflowId: string, runIds: string[]): Promise<string[]> {
  if (runIds.length === 0) return [];
  // Lists are short (a fork's new id): plain IN (?, …) costs less than unnesting a parameter.
  const rows = await selectRows(connection, `SELECT DISTINCT run_id FROM run_extents WHERE workflow_id = ? AND run_id IN (${placeholders(runIds)})`, [workflowId, ...runIds]);
  return rows.map((row) => str(row.run_id));
}

/** Index of the first entry of the ascending list that is at least `limit`: how many are below it. */
function countBelow(sorted: number[], limit: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < limit) low = middle + 1;
    else high = middle;
  }
  return low;
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** A step's fields without its state. */
const STEP_COLUMNS = `s.step, s.seq, s.idx, s.run_id AS source_run_id, s.node_id, s.awaiting_input,
  s.next_node_ids, s.processed_node_ids, s.waiting_node_ids, epoch_us(s.time)::VARCHAR AS time_us`;
