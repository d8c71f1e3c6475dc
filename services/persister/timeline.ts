// A run's current timeline through its lineage, as a few small parameterised queries; the rule is in docs/TIME_TRAVEL.md.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { MAX_LINEAGE_DEPTH, MAX_MISSING_NODES, type LineageLink } from '../common/read-steps-protocol.js';
import type { Event } from '../common/gen/runlog/v1/Event.js';
import { KIND_COLUMNS, rowToStoredEvent, type JsonRow } from './rows.js';
import { selectRows, Where } from './sql.js';

/** Above every stream sequence: the run asked for sees all of its own rows. */
const NO_CUTOFF = 2n ** 64n - 1n;

const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
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

// Facts are immutable once seen (insert-only tables, stream order), so these caches never go
// stale; one per connection, since the read server hands each request a connection of its own.
const CACHED_RUNS = 100_000;
interface ConnectionCache {
  facts: Map<string, RunFacts>;
  /** An ancestor's own head below a fork's RunStarted: every row before that is stored, none can follow. */
  cutHeads: Map<string, bigint | null>;
}
const caches = new WeakMap<DuckDBConnection, ConnectionCache>();

function cacheOf(connection: DuckDBConnection): ConnectionCache {
  let cache = caches.get(connection);
  if (!cache) caches.set(connection, (cache = { facts: new Map(), cutHeads: new Map() }));
  return cache;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHED_RUNS) map.delete(map.keys().next().value!);
  map.set(key, value);
}

async function runFacts(connection: DuckDBConnection, workflowId: string, runId: string): Promise<RunFacts | null> {
  const cache = cacheOf(connection).facts;
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
  remember(cache, key, facts);
  return facts;
}

// A RunStarted whose parameters and config are this large is read each time rather than kept.
const CACHED_STARTED_MAX_BYTES = 64 * 1024;

/** The run's first RunStarted (null when it sent none): lineage and a fork's inheritance go by it. */
export async function firstRunStarted(connection: DuckDBConnection, workflowId: string, runId: string): Promise<Event | null> {
  const facts = await runFacts(connection, workflowId, runId);
  if (!facts?.link) return null;
  if (facts.started) return facts.started;
  const where = new Where().add('workflow_id = ?', workflowId).add('run_id = ?', runId).add('seq = ?::UBIGINT', BigInt(facts.link.startedSeq));
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
  /** Its rows count when stored before this: the RunStarted of the nearest fork below it. */
  cutoff: bigint;
  /** Its rows count up to this step: its own head, and the heads and fork steps of the runs nearer. */
  bound: bigint;
  /** Step of its newest row. */
  ownHead: bigint;
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
  ) {}

  /**
   * Reads each run's own head (one scan) and derives the levels. In the same statement, so in
   * the same snapshot: the watermark, which of `existsRunIds` have events in the partition, and,
   * with `candidatesAt`, every row that may be that step's (see pickStep).
   */
  static async open(
    connection: DuckDBConnection,
    workflowId: string,
    chain: Chain,
    options: { existsRunIds?: string[]; candidatesAt?: bigint } = {},
  ): Promise<{ timeline: Timeline; existing: string[]; storedSeq: number; candidates: JsonRow[] }> {
    const existsRunIds = options.existsRunIds ?? [];
    const cutoffs: bigint[] = [];
    let cutoff = NO_CUTOFF;
    for (const link of chain.links) {
      cutoffs.push(cutoff);
      if (link.startedSeq !== null) cutoff = minBig(cutoff, BigInt(link.startedSeq));
    }
    // Only the run's own head (no cutoff) can move; an ancestor's, below its cutoff, is cached.
    const cutHeads = cacheOf(connection).cutHeads;
    const headKey = (depth: number) => `${workflowId}\u0000${chain.links[depth].runId}\u0000${cutoffs[depth]}`;
    const toRead = chain.links.map((_, depth) => depth).filter((depth) => depth === 0 || !cutHeads.has(headKey(depth)));
    // The newest row's step; (seq, idx) folded into one number (idx < 2^32), cheaper than a struct key.
    const heads = toRead.map((depth) => `max_by(step, seq::HUGEINT * 4294967296 + idx) FILTER (WHERE run_id = ? AND seq < ?::UBIGINT) AS head_${depth}`);
    // Lists are short (a chain, a fork's new id): plain IN (?, …) costs less than unnesting a parameter.
    const existing = existsRunIds.length > 0
      ? `, (SELECT list(DISTINCT run_id) FROM run_extents WHERE workflow_id = ? AND run_id IN (${placeholders(existsRunIds)})) AS existing`
      : '';
    const headsSql = `SELECT ${heads.join(', ')}${existing}, (${STORED_SEQ_SQL}) AS stored_seq FROM steps
       WHERE workflow_id = ? AND seq >= ?::UBIGINT AND run_id IN (${placeholders(toRead)})`;
    const headsValues: DuckDBValue[] = [
      ...toRead.flatMap((depth) => [chain.links[depth].runId, cutoffs[depth]]),
      ...(existsRunIds.length > 0 ? [workflowId, ...existsRunIds] : []),
      chain.firstSeq,
      workflowId,
      toRead.map((depth) => chain.firstSeqs[depth]).reduce(minBig),
      ...toRead.map((depth) => chain.links[depth].runId),
    ];
    const outputs = `${toRead.map((depth) => `heads.head_${depth}::VARCHAR AS head_${depth}`).join(', ')}${existsRunIds.length > 0 ? ', heads.existing' : ''}, heads.stored_seq::VARCHAR AS stored_seq`;
    let rows: JsonRow[];
    if (options.candidatesAt === undefined) {
      rows = await selectRows(connection, `WITH heads AS (${headsSql}) SELECT ${outputs} FROM heads`, headsValues);
    } else {
      // The step's candidates under the same bounds pickStep's levels get: a level's rows count up
      // to its own head, the heads of the levels nearer the run and the fork steps between them.
      const headExpression = (depth: number): { sql: string; values: DuckDBValue[] } =>
        toRead.includes(depth) ? { sql: `h.head_${depth}`, values: [] } : { sql: '?::BIGINT', values: [cutHeads.get(headKey(depth)) ?? null] };
      const perLevel: string[] = [];
      const perLevelValues: DuckDBValue[] = [];
      chain.links.forEach((link, depth) => {
        const own = headExpression(depth);
        const nearer = chain.links.slice(0, depth).map((_, j) => headExpression(j));
        const forkSteps = chain.links.slice(0, depth).map((nearerLink) => BigInt(nearerLink.forkStep ?? 0));
        perLevel.push(
          `(s.run_id = ? AND s.seq < ?::UBIGINT AND s.step <= least(${[own.sql, ...nearer.map((head) => `coalesce(${head.sql}, ${NO_STEP})`), ...forkSteps.map(() => '?::BIGINT')].join(', ')}))`,
        );
        perLevelValues.push(link.runId, cutoffs[depth], ...own.values, ...nearer.flatMap((head) => head.values), ...forkSteps);
      });
      rows = await selectRows(
        connection,
        `WITH heads AS (${headsSql})
         SELECT ${outputs}, c.* FROM heads LEFT JOIN (
           SELECT ${STEP_COLUMNS}, strlen(s.state)::VARCHAR AS state_bytes, length(s.state)::VARCHAR AS state_chars
           FROM steps s, heads h WHERE s.workflow_id = ? AND s.seq >= ?::UBIGINT AND s.step = ? AND (${perLevel.join(' OR ')})) c ON TRUE`,
        [...headsValues, workflowId, chain.firstSeq, options.candidatesAt, ...perLevelValues],
      );
    }
    const row = rows[0];
    const headOf = (depth: number): bigint | null => {
      if (!toRead.includes(depth)) return cutHeads.get(headKey(depth))!;
      const head = row?.[`head_${depth}`];
      const value = head === null || head === undefined ? null : BigInt(str(head));
      if (depth > 0) remember(cutHeads, headKey(depth), value);
      return value;
    };
    const levels: Level[] = [];
    let inherited = NO_STEP;
    chain.links.forEach((link, depth) => {
      const ownHead = headOf(depth);
      if (ownHead !== null) {
        const bound = minBig(inherited, ownHead);
        levels.push({ depth, runId: link.runId, cutoff: cutoffs[depth], bound, ownHead });
        inherited = bound;
      }
      if (link.forkStep !== null) inherited = minBig(inherited, BigInt(link.forkStep));
    });
    return {
      timeline: new Timeline(connection, workflowId, levels, chain.firstSeq),
      existing: ((row?.existing as string[] | null) ?? []).map(String),
      storedSeq: Number(row?.stored_seq ?? 0),
      candidates: rows.filter((candidate) => candidate.step !== null && candidate.step !== undefined),
    };
  }

  /** Last step of the timeline; null when it has none. */
  async head(): Promise<bigint | null> {
    const nearest = this.levels[0];
    if (!nearest) return null;
    // The nearest run's own head is the timeline's head unless a fork step cut it off.
    if (nearest.bound === nearest.ownHead) return nearest.ownHead;
    const where = this.candidates();
    const [row] = await selectRows(this.connection, `SELECT max(step)::VARCHAR AS head FROM steps s WHERE ${where}`, where.values);
    return row?.head === null || row?.head === undefined ? null : BigInt(str(row.head));
  }

  /** The row of one step, with its state's size and, when at most `inlineMaxBytes`, its text. */
  async oneStep(step: bigint, inlineMaxBytes: number): Promise<JsonRow | undefined> {
    const where = this.candidates().add('s.step = ?', step);
    const rows = await selectRows(
      this.connection,
      `SELECT ${STEP_COLUMNS}, strlen(s.state)::VARCHAR AS state_bytes, length(s.state)::VARCHAR AS state_chars FROM steps s WHERE ${where}`,
      where.values,
    );
    return this.pickStep(rows, inlineMaxBytes);
  }

  /**
   * The winner among a step's candidate rows (nearest level, then newest), with its state read by
   * its position when at most `inlineMaxBytes`. Ranking the few candidates here is cheaper than
   * DuckDB's ORDER BY … LIMIT 1, and the state is read only for the winner. A row never changes,
   * so that read needs no snapshot.
   */
  async pickStep(candidates: JsonRow[], inlineMaxBytes: number): Promise<JsonRow | undefined> {
    const depthOf = new Map(this.levels.map((level) => [level.runId, level.depth]));
    const rank = (row: JsonRow): [number, bigint, number] => [depthOf.get(str(row.source_run_id)) ?? Infinity, BigInt(str(row.seq)), Number(row.idx)];
    const winner = candidates.reduce<JsonRow | undefined>((best, row) => {
      if (!best) return row;
      const [depth, seq, idx] = rank(row);
      const [bestDepth, bestSeq, bestIdx] = rank(best);
      return depth < bestDepth || (depth === bestDepth && (seq > bestSeq || (seq === bestSeq && idx > bestIdx))) ? row : best;
    }, undefined);
    if (!winner) return undefined;
    winner.state = null;
    if (Number(winner.state_bytes) <= inlineMaxBytes) {
      const at = new Where().add('workflow_id = ?', this.workflowId).add('seq = ?::UBIGINT', BigInt(str(winner.seq))).add('idx = ?', Number(winner.idx));
      const [text] = await selectRows(this.connection, `SELECT state FROM steps WHERE ${at}`, at.values);
      winner.state = text?.state ?? null;
    }
    return winner;
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
    const where = new Where().add('s.workflow_id = ?', this.workflowId).add('s.seq >= ?::UBIGINT', this.firstSeq);
    const perLevel = this.levels.map(() => '(s.run_id = ? AND s.seq < ?::UBIGINT AND s.step <= ?)').join(' OR ');
    return where.add(`(${perLevel || 'FALSE'})`, ...this.levels.flatMap((level) => [level.runId, level.cutoff, level.bound]));
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

// The watermark in this snapshot: the last batch committed (rows from `?` on; the chain's first sequence bounds the scan).
const STORED_SEQ_SQL = 'SELECT coalesce(max(seq), 0) FROM applied WHERE seq >= ?::UBIGINT';

/** The watermark in the connection's current snapshot. */
export async function storedSeq(connection: DuckDBConnection): Promise<number> {
  const [row] = await selectRows(connection, `SELECT (${STORED_SEQ_SQL})::VARCHAR AS stored_seq`, [0n]);
  return Number(row?.stored_seq ?? 0);
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** A step's fields without its state. */
const STEP_COLUMNS = `s.step, s.seq, s.idx, s.run_id AS source_run_id, s.node_id, s.awaiting_input,
  s.next_node_ids, s.processed_node_ids, s.waiting_node_ids, epoch_us(s.time)::VARCHAR AS time_us`;
