// Reads of step snapshots through a run's lineage (the current timeline, one state in chunks, lineage trees); see docs/TIME_TRAVEL.md.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import {
  MAX_LINEAGE_DEPTH,
  MAX_LINEAGE_RUNS,
  STATE_CHUNK_CHARS,
  type LineageEntry,
  type LineageRequest,
  type LineageResult,
  type StepRow,
  type StepsRequest,
  type StepsResult,
  type StepStateRequest,
  type StepStateResult,
} from '../../common/read-steps-protocol.js';
import { MAX_READ_LIMIT, ReadError } from '../../common/read-protocol.js';
import { str, strings, type JsonRow } from './stored-rows.js';
import { positionLiteral, selectRows, Where } from './sql.js';
import { existingRuns, firstRunStarted, readChain, Timeline } from './timeline.js';
import type { RunFilter } from '../index/run-filter.js';
import type { StepIndex } from '../index/step-index.js';

/** Bytes of states and metadata one steps reply carries before it stops (its first row always goes). */
const REPLY_BUDGET_BYTES = 1024 * 1024;
/** A state larger than this is left out of a steps reply and read with stepState, so no reply nears NATS's max payload. */
const INLINE_STATE_MAX_BYTES = 1024 * 1024;

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export async function readSteps(connection: DuckDBConnection, request: StepsRequest, context: { stepIndex: StepIndex; runFilter: RunFilter }): Promise<StepsResult> {
  const index = context.stepIndex;
  // Taken before anything is read: every read below sees at least this much (later commits may
  // show in the lineage read, but the timeline's rows are cut off at it), and claiming more could
  // hide events of the run stored after its facts were read (read your writes).
  const storedSeq = index.indexedSeq;
  // The run filter holds every run up to that sequence, and more (both are kept in the same turn as
  // the watermark): its "no" needs no SQL.
  const maybe = request.lookFor?.filter((runId) => context.runFilter.mayHold(request.workflowId, runId));
  const existingRunIds = maybe && (await existingRuns(connection, request.workflowId, maybe));
  const select = request.select;
  const chain = await readChain(connection, request.workflowId, request.runId);
  const result: StepsResult = { found: chain.found, chain: chain.links, headStep: null, items: [], more: false, storedSeq, ...(existingRunIds && { existingRunIds }) };
  if (request.withStarted) result.started = chain.found ? await firstRunStarted(connection, request.workflowId, request.runId) : null;
  if (!chain.found) {
    return result;
  }
  const timeline = await Timeline.resolve(connection, index, request.workflowId, chain, storedSeq);
  const headStep = timeline.head();
  if (headStep !== null) {
    result.headStep = Number(headStep);
    const inlineMax = request.omitState ? -1 : INLINE_STATE_MAX_BYTES;
    if (select.kind === 'after') {
      const limit = Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(select.limit) || MAX_READ_LIMIT));
      const rows = await timeline.rowsAfter(BigInt(select.afterStep), limit + 1);
      const page = rows.slice(0, limit).map(toStepRow);
      result.items = request.omitState ? withinBudget(page, () => 0) : await attachStates(connection, request.workflowId, page);
      result.more = rows.length > limit || result.items.length < page.length;
    } else {
      const step = select.kind === 'at' ? BigInt(select.step) : headStep;
      const row = step > headStep ? undefined : await timeline.oneStep(step, inlineMax);
      if (row) result.items = [{ ...toStepRow(row), stateChars: Number(row.state_chars), ...(row.state === null ? {} : { state: str(row.state) }) }];
    }
    if (request.definedNodeIds) {
      const last = result.items.length > 0 ? BigInt(result.items[result.items.length - 1].step) : headStep;
      result.missingNodeIds = await timeline.missingNodes(request.definedNodeIds, last < headStep ? last : headStep);
    }
  }
  return result;
}

export async function readStepState(connection: DuckDBConnection, request: StepStateRequest): Promise<StepStateResult> {
  const where = new Where().add('workflow_id = ?', request.workflowId).add(`seq = ${positionLiteral(request.seq)}`).add(`idx = ${positionLiteral(request.idx)}`);
  const [row] = await selectRows(
    connection,
    `SELECT length(state)::VARCHAR AS chars, substring(state, ?, ?) AS text FROM steps WHERE ${where}`,
    [Math.max(0, Math.floor(request.offsetChars)) + 1, STATE_CHUNK_CHARS, ...where.values],
  );
  if (!row) throw new ReadError('not-found', `no step snapshot is stored at position ${request.seq}/${request.idx}`);
  return { text: str(row.text), totalChars: Number(row.chars) };
}

// Every run's first RunStarted in the workflow: the fork tree below a run.
const STARTED_CTE = `started AS (
  SELECT run_id, started_seq, link.parent AS parent_run_id, link.fork_step AS fork_step FROM (
    SELECT run_id, min(seq) AS started_seq, arg_min({'parent': parent_run_id, 'fork_step': fork_step}, (seq, idx)) AS link
    FROM runs WHERE workflow_id = ? GROUP BY run_id))`;

export async function readLineage(connection: DuckDBConnection, request: LineageRequest): Promise<LineageResult> {
  return inOneSnapshot(connection, async () => {
    const { links: chain, found } = await readChain(connection, request.workflowId, request.runId);
    const descendantRows = await selectRows(
      connection,
      `WITH RECURSIVE ${STARTED_CTE}, tree(depth, run_id) AS (
         SELECT 0, ?::VARCHAR
         UNION ALL
         SELECT tree.depth + 1, started.run_id FROM tree JOIN started ON started.parent_run_id = tree.run_id WHERE tree.depth < ?)
       SELECT tree.run_id, started.parent_run_id, started.fork_step FROM tree JOIN started USING (run_id)
       WHERE tree.depth > 0 ORDER BY tree.depth, started.started_seq LIMIT ?`,
      [request.workflowId, request.runId, MAX_LINEAGE_DEPTH, MAX_LINEAGE_RUNS + 1],
    );
    const seen = new Set(chain.map((link) => link.runId));
    const descendants: LineageEntry[] = [];
    for (const row of descendantRows.slice(0, MAX_LINEAGE_RUNS)) {
      // A cycle of agent-written parent ids would repeat runs: each is listed once.
      if (seen.has(str(row.run_id))) continue;
      seen.add(str(row.run_id));
      descendants.push({ runId: str(row.run_id), parentRunId: str(row.parent_run_id), forkStep: numberOrNull(row.fork_step), status: '' });
    }
    const ancestors: LineageEntry[] = chain.slice(1).map((link) => ({ runId: link.runId, parentRunId: link.parentRunId, forkStep: link.forkStep, status: '' }));
    const self: LineageEntry = { runId: chain[0].runId, parentRunId: chain[0].parentRunId, forkStep: chain[0].forkStep, status: '' };
    const everyone = [self, ...ancestors, ...descendants];
    const statuses = await latestStatuses(connection, request.workflowId, everyone.map((entry) => entry.runId));
    for (const entry of everyone) entry.status = statuses.get(entry.runId) ?? '';
    return { found, ancestors, self, descendants, truncated: descendantRows.length > MAX_LINEAGE_RUNS };
  });
}

function toStepRow(row: JsonRow): StepRow {
  return {
    step: Number(row.step),
    seq: Number(row.seq),
    idx: Number(row.idx),
    sourceRunId: str(row.source_run_id),
    nodeId: str(row.node_id),
    awaitingInput: Boolean(row.awaiting_input),
    nextNodeIds: strings(row.next_node_ids),
    processedNodeIds: strings(row.processed_node_ids),
    waitingNodeIds: strings(row.waiting_node_ids),
    timeMicros: str(row.time_us),
    stateChars: 0,
  };
}

/** Bytes a row costs in a reply before its state (its ids and lists). */
function metadataBytes(row: StepRow): number {
  return Buffer.byteLength(JSON.stringify(row), 'utf8');
}

/** The leading rows whose bytes (metadata and inlined state) stay within the reply budget; always the first. */
function withinBudget(items: StepRow[], stateBytes: (index: number) => number): StepRow[] {
  let used = 0;
  let count = 0;
  for (; count < items.length; count++) {
    if (count > 0 && used >= REPLY_BUDGET_BYTES) break;
    used += metadataBytes(items[count]) + stateBytes(count);
  }
  return items.slice(0, count);
}

/**
 * Adds each row's state while the reply stays within its budget. Sizes are read first, so no
 * state is loaded that would not be sent; a state above INLINE_STATE_MAX_BYTES is never inlined.
 */
async function attachStates(connection: DuckDBConnection, workflowId: string, items: StepRow[]): Promise<StepRow[]> {
  if (items.length === 0) return items;
  const single = items.length === 1;
  const sizes = await statesOf(connection, workflowId, items, single ? `CASE WHEN strlen(s.state) <= ${INLINE_STATE_MAX_BYTES} THEN s.state END` : 'NULL');
  const inline = (index: number) => sizes[index].bytes <= INLINE_STATE_MAX_BYTES;
  // A state left out still counts: the query service fetches it into the same answer.
  const kept = withinBudget(items, (index) => sizes[index].bytes);
  const texts = single
    ? [sizes[0].state]
    : (await statesOf(connection, workflowId, kept.filter((_, index) => inline(index)), 's.state')).map((row) => row.state);
  let nextText = 0;
  return kept.map((item, index) => ({
    ...item,
    stateChars: sizes[index].chars,
    ...(inline(index) ? { state: texts[single ? 0 : nextText++] ?? undefined } : {}),
  }));
}

/** Size, length and (per `stateExpression`) text of each row's state, in the rows' order. */
async function statesOf(
  connection: DuckDBConnection,
  workflowId: string,
  items: StepRow[],
  stateExpression: string,
): Promise<{ bytes: number; chars: number; state: string | undefined }[]> {
  if (items.length === 0) return [];
  const keys = valuesTable('k', ['ord', 'seq', 'idx'], ['INTEGER', 'UBIGINT', 'UINTEGER'], items.map((item, ord) => [ord, BigInt(item.seq), item.idx]));
  const seqs = items.map((item) => BigInt(item.seq));
  const where = new Where()
    .add('s.workflow_id = ?', workflowId)
    .add(`s.seq BETWEEN ${positionLiteral(seqs.reduce((a, b) => (a < b ? a : b)))} AND ${positionLiteral(seqs.reduce((a, b) => (a > b ? a : b)))}`);
  const rows = await selectRows(
    connection,
    `SELECT k.ord, strlen(s.state)::VARCHAR AS bytes, length(s.state)::VARCHAR AS chars, ${stateExpression} AS state
     FROM steps s JOIN ${keys.sql} ON s.seq = k.seq AND s.idx = k.idx WHERE ${where} ORDER BY k.ord`,
    [...keys.values, ...where.values],
  );
  return rows.map((row) => ({ bytes: Number(row.bytes), chars: Number(row.chars), state: row.state === null ? undefined : str(row.state) }));
}

/** Latest status of each run (short form), from the insert-only status rows. */
async function latestStatuses(connection: DuckDBConnection, workflowId: string, runIds: string[]): Promise<Map<string, string>> {
  const rows = await selectRows(
    connection,
    `SELECT run_id, arg_max(status, (seq, idx)) AS status FROM run_status
     WHERE workflow_id = ? AND run_id IN (SELECT unnest(from_json(?, '["VARCHAR"]'))) GROUP BY run_id`,
    [workflowId, JSON.stringify(runIds)],
  );
  return new Map(rows.map((row) => [str(row.run_id), str(row.status)]));
}

/** A parameterised VALUES list usable as a table: `(VALUES (?::T, …), …) AS alias(columns)`. */
function valuesTable(alias: string, columns: string[], types: string[], rows: DuckDBValue[][]): { sql: string; values: DuckDBValue[] } {
  const tuple = `(${types.map((type) => `?::${type}`).join(', ')})`;
  return { sql: `(VALUES ${rows.map(() => tuple).join(', ')}) AS ${alias}(${columns.join(', ')})`, values: rows.flat() };
}

/** Runs several reads on one DuckDB snapshot, so they agree with each other. */
async function inOneSnapshot<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
