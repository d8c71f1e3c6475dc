// Reads of workflows and runs: listings with current status and counts, and one run in full.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReadRequest, ReadResult, RunRow, StatusRow, TaskRow } from '../../common/read-protocol.js';
import type { JsonRow } from './stored-rows.js';
import { selectRows, Where } from './sql.js';

type Request<Op extends ReadRequest['op']> = Extract<ReadRequest, { op: Op }>;

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED']);

// Every run: the first RunStarted of each run (an agent may resend it), and runs known only
// from status changes (an agent that never sent RunStarted), which start at their first status.
const ALL_RUNS = `
  WITH started AS (
    SELECT workflow_id, run_id, workflow_name, tags, parent_run_id, epoch_us(time) AS start_us
    FROM runs WHERE %WHERE%
    QUALIFY row_number() OVER (PARTITION BY workflow_id, run_id ORDER BY seq, idx) = 1
  ),
  status_only AS (
    SELECT workflow_id, run_id, '' AS workflow_name, MAP {}::MAP(VARCHAR, VARCHAR) AS tags, NULL::VARCHAR AS parent_run_id,
           epoch_us(min(time)) AS start_us
    FROM run_status WHERE %WHERE% GROUP BY workflow_id, run_id
  ),
  all_runs AS (
    SELECT * FROM started
    UNION ALL BY NAME
    SELECT status_only.* FROM status_only ANTI JOIN started USING (workflow_id, run_id)
  )`;

/** ALL_RUNS narrowed by `where` (used in both of its scans, so its values are bound twice). */
function allRuns(where: Where): { sql: string; values: Where['values'] } {
  return { sql: ALL_RUNS.replaceAll('%WHERE%', where.toString()), values: [...where.values, ...where.values] };
}

export async function readWorkflows(connection: DuckDBConnection, request: Request<'workflows'>): Promise<ReadResult['workflows']> {
  const where = new Where();
  if (request.after !== undefined) where.add('workflow_id > ?', request.after);
  const runs = allRuns(where);
  const rows = await selectRows(
    connection,
    `${runs.sql}
     SELECT workflow_id, arg_max(workflow_name, start_us) FILTER (WHERE workflow_name <> '') AS workflow_name,
            count(*)::INTEGER AS run_count, max(start_us)::VARCHAR AS last_us
     FROM all_runs GROUP BY workflow_id ORDER BY workflow_id LIMIT ${request.limit + 1}`,
    runs.values,
  );
  return {
    items: rows.slice(0, request.limit).map((row) => ({
      workflowId: row.workflow_id as string, workflowName: (row.workflow_name as string | null) ?? '',
      runCount: Number(row.run_count), lastRunMicros: row.last_us as string,
    })),
    more: rows.length > request.limit,
  };
}

// Each run with its current status.
const RUNS_WITH_STATUS = (runs: string) => `${runs}
  SELECT all_runs.*, current.status, epoch_us(current.time)::VARCHAR AS status_us
  FROM all_runs LEFT JOIN run_current_status AS current USING (workflow_id, run_id)`;

export async function readRuns(connection: DuckDBConnection, request: Request<'runs'>): Promise<ReadResult['runs']> {
  const inner = new Where();
  if (request.workflowId) inner.add('workflow_id = ?', request.workflowId);
  const outer = new Where();
  if (request.statuses?.length) outer.add(`current.status IN (${request.statuses.map(() => '?').join(', ')})`, ...request.statuses);
  for (const [key, value] of Object.entries(request.tags ?? {})) outer.add('list_contains(map_extract(all_runs.tags, ?), ?)', key, value);
  if (request.startMicros) outer.add('start_us >= ?::BIGINT', BigInt(request.startMicros));
  if (request.endMicros) outer.add('start_us < ?::BIGINT', BigInt(request.endMicros));
  if (request.after) {
    const [startMicros, workflowId, runId] = request.after;
    const start = BigInt(startMicros);
    outer.add('(start_us < ?::BIGINT OR (start_us = ?::BIGINT AND (workflow_id > ? OR (workflow_id = ? AND run_id > ?))))', start, start, workflowId, workflowId, runId);
  }
  const runs = allRuns(inner);
  const rows = await selectRows(
    connection,
    `${RUNS_WITH_STATUS(runs.sql)} WHERE ${outer} ORDER BY start_us DESC, workflow_id, run_id LIMIT ${request.limit + 1}`,
    [...runs.values, ...outer.values],
  );
  const page = rows.slice(0, request.limit);
  const counts = await logCounts(connection, page);
  return { items: page.map((row) => toRunRow(row, counts)), more: rows.length > request.limit };
}

export async function readRun(connection: DuckDBConnection, request: Request<'run'>): Promise<ReadResult['run']> {
  const inner = new Where().add('workflow_id = ?', request.workflowId).add('run_id = ?', request.runId);
  const runs = allRuns(inner);
  const [row] = await selectRows(connection, RUNS_WITH_STATUS(runs.sql), runs.values);
  if (!row) return null;
  const statusRows = await selectRows(
    connection,
    `SELECT status, epoch_us(time)::VARCHAR AS us, reason FROM run_status WHERE workflow_id = ? AND run_id = ? ORDER BY seq, idx`,
    [request.workflowId, request.runId],
  );
  const [definition] = await selectRows(
    connection,
    `SELECT parameters, config, dag_hash, node_ids, fork_step::VARCHAR AS fork_step FROM runs WHERE workflow_id = ? AND run_id = ? ORDER BY seq, idx LIMIT 1`,
    [request.workflowId, request.runId],
  );
  const taskRows = await selectRows(
    connection,
    `SELECT task_name, task_instance_id, attempt, status, epoch_us(time)::VARCHAR AS us, reason FROM task_status
     WHERE workflow_id = ? AND run_id = ? ORDER BY seq, idx`,
    [request.workflowId, request.runId],
  );
  const forks = await selectRows(
    connection,
    `SELECT DISTINCT run_id FROM runs WHERE workflow_id = ? AND parent_run_id = ? ORDER BY run_id`,
    [request.workflowId, request.runId],
  );
  const counts = await logCounts(connection, [row]);
  return {
    summary: toRunRow(row, counts),
    timeline: statusRows.map((status) => ({ status: status.status as string, micros: status.us as string, reason: status.reason as string, attempt: 0 })),
    tasks: groupTasks(taskRows),
    parametersJson: (definition?.parameters as string | null) ?? null,
    configJson: (definition?.config as string | null) ?? null,
    dagHash: (definition?.dag_hash as string) ?? '',
    nodeIds: (definition?.node_ids as string[]) ?? [],
    forkStep: (definition?.fork_step as string | null) ?? '0',
    forkRunIds: forks.map((fork) => fork.run_id as string),
  };
}

/** Tasks in order of first appearance, each with its whole timeline and latest status. */
function groupTasks(rows: JsonRow[]): TaskRow[] {
  const tasks = new Map<string, TaskRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.task_name, row.task_instance_id]);
    let task = tasks.get(key);
    if (!task) {
      task = { taskName: row.task_name as string, taskInstanceId: row.task_instance_id as string, status: '', attempt: 0, timeline: [] };
      tasks.set(key, task);
    }
    const entry: StatusRow = { status: row.status as string, micros: row.us as string, reason: row.reason as string, attempt: Number(row.attempt) };
    task.timeline.push(entry);
    task.status = entry.status;
    task.attempt = entry.attempt;
  }
  return [...tasks.values()];
}

type Counts = Map<string, { logs: number; errors: number }>;
const runKey = (workflowId: unknown, runId: unknown) => JSON.stringify([workflowId, runId]);

/** Log and error counts of the given runs, scanning only where their events lie (run_extents). */
async function logCounts(connection: DuckDBConnection, runs: JsonRow[]): Promise<Counts> {
  const counts: Counts = new Map();
  if (runs.length === 0) return counts;
  const values = runs.map(() => '(?, ?)').join(', ');
  const keys = runs.flatMap((run) => [run.workflow_id as string, run.run_id as string]);
  const rows = await selectRows(
    connection,
    `WITH page(w, r) AS (VALUES ${values}),
          span AS (SELECT min(first_seq) AS lo, max(last_seq) AS hi FROM run_extents JOIN page ON workflow_id = w AND run_id = r)
     SELECT workflow_id, run_id, count(*)::INTEGER AS logs, count(*) FILTER (WHERE level IN ('ERROR', 'FATAL'))::INTEGER AS errors
     FROM logs JOIN page ON workflow_id = w AND run_id = r, span
     WHERE seq BETWEEN span.lo AND span.hi
     GROUP BY workflow_id, run_id`,
    keys,
  );
  for (const row of rows) counts.set(runKey(row.workflow_id, row.run_id), { logs: Number(row.logs), errors: Number(row.errors) });
  return counts;
}

function toRunRow(row: JsonRow, counts: Counts): RunRow {
  const status = (row.status as string | null) ?? '';
  const count = counts.get(runKey(row.workflow_id, row.run_id));
  return {
    workflowId: row.workflow_id as string,
    runId: row.run_id as string,
    workflowName: (row.workflow_name as string) ?? '',
    status,
    startMicros: String(row.start_us),
    endMicros: TERMINAL.has(status) ? (row.status_us as string) : undefined,
    tags: Object.fromEntries(((row.tags as { key: string; value: string }[] | null) ?? []).map(({ key, value }) => [key, value])),
    parentRunId: (row.parent_run_id as string | null) ?? '',
    logCount: count?.logs ?? 0,
    errorCount: count?.errors ?? 0,
  };
}
