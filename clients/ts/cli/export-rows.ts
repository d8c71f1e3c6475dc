// The rows of an export, read through the query service: one row per run start, status change, task status change, step and log record.
import type { RunlogClient } from '../src/client.js';
import type { Run } from '../src/types.js';

/** One flat row: the same columns for every kind, so JSON lines and Parquet share one schema. */
export interface ExportRow {
  workflow_id: string;
  run_id: string;
  kind: 'run_started' | 'run_status' | 'task_status' | 'step' | 'log';
  time: string | null;
  level: string | null;
  task_name: string | null;
  task_instance_id: string | null;
  attempt: number | null;
  status: string | null;
  reason: string | null;
  message: string | null;
  step: number | null;
  node_id: string | null;
  /** JSON text: the attributes of a log record, the tags/parameters/config of a run start, the state of a step. */
  data: string | null;
  /** Log records only: where a Subscribe with after_cursor continues. */
  cursor: string | null;
}

export const EXPORT_COLUMNS: (keyof ExportRow)[] = ['workflow_id', 'run_id', 'kind', 'time', 'level', 'task_name', 'task_instance_id', 'attempt', 'status', 'reason', 'message', 'step', 'node_id', 'data', 'cursor'];

const empty = (workflowId: string, runId: string, kind: ExportRow['kind']): ExportRow => ({
  workflow_id: workflowId,
  run_id: runId,
  kind,
  time: null,
  level: null,
  task_name: null,
  task_instance_id: null,
  attempt: null,
  status: null,
  reason: null,
  message: null,
  step: null,
  node_id: null,
  data: null,
  cursor: null,
});

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const short = (name: string) => name.replace(/^STATUS_|^LOG_LEVEL_/, '');

/** Every row of one run: its start, statuses, tasks and steps, then its log records page by page (never all in memory). */
export async function* runRows(client: RunlogClient, workflowId: string, runId: string, run?: Run, onLog?: () => void): AsyncGenerator<ExportRow> {
  const full = run ?? (await client.getRun(workflowId, runId));
  const summary = full.summary!;
  yield {
    ...empty(workflowId, runId, 'run_started'),
    time: iso(summary.startTime),
    message: summary.workflowName,
    data: JSON.stringify({ tags: summary.tags, parameters: full.parameters, config: full.config, dagHash: full.dagHash, nodeIds: full.nodeIds, parentRunId: summary.parentRunId, forkStep: full.forkStep }),
  };
  for (const entry of full.timeline) yield { ...empty(workflowId, runId, 'run_status'), time: iso(entry.time), status: short(entry.status), reason: entry.reason };
  for (const task of full.tasks) {
    for (const entry of task.timeline) {
      yield { ...empty(workflowId, runId, 'task_status'), time: iso(entry.time), task_name: task.taskName, task_instance_id: task.taskInstanceId, attempt: entry.attempt, status: short(entry.status), reason: entry.reason };
    }
  }
  for await (const step of client.iterateSteps({ run: { workflowId, runId }, pageSize: 100 })) {
    yield { ...empty(workflowId, runId, 'step'), time: iso(step.time), step: step.step, node_id: step.nodeId, data: step.stateJson };
  }
  for await (const record of client.iterateLogs({ filter: { workflowId, runId }, pageSize: 1000 })) {
    const log = record.event!.log!;
    onLog?.();
    yield {
      ...empty(workflowId, runId, 'log'),
      time: iso(log.time),
      level: short(log.level),
      task_name: log.taskName,
      task_instance_id: log.taskInstanceId,
      message: log.message,
      data: JSON.stringify(log.attributes ?? {}),
      cursor: record.cursor,
    };
  }
}
