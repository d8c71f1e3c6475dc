// Reads Grapheteria's runs: logs/<workflow>/<run>/state.pkl (dill pickles, read by the restricted reader) or state.json, and its SQLite store.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import type { Json, JsonObject } from '../src/convert.js';
import type { Event, StatusName } from '../src/types.js';
import type { Database } from 'sql.js';
import { readPickle, UnsafePickleError, PickleFormatError } from './pickle.js';
import { checkId, parseSourceTime, SourceError, type ImportItem, type ImportedRun } from './model.js';

// ExecutionState.workflow_status is an enum *name*; anything else (the upstream test fixture's "RUNNING") is not a state the engine can load.
const WORKFLOW_STATUS: Record<string, StatusName> = {
  HEALTHY: 'STATUS_RUNNING',
  WAITING_FOR_INPUT: 'STATUS_WAITING',
  COMPLETED: 'STATUS_COMPLETED',
  FAILED: 'STATUS_FAILED',
};
const NODE_STATUS: Record<string, StatusName> = {
  completed: 'STATUS_COMPLETED',
  failed: 'STATUS_FAILED',
  waiting_for_input: 'STATUS_WAITING',
};

/** Every run under `path`: a logs folder (`<workflow>/<run>/state.*`), a single run's folder, or a SQLite file; `total` for a progress bar. */
export async function openGrapheteria(path: string): Promise<{ total: number; items: AsyncGenerator<ImportItem> }> {
  if (statSync(path).isFile()) {
    const db = await openSqlite(path);
    const total = Number(db.exec('SELECT count(*) FROM workflow_states')[0]?.values[0]?.[0] ?? 0);
    return { total, items: readSqlite(db, path) };
  }
  const files = stateFiles(path);
  return { total: files.length, items: readFiles(files) };
}

async function* readFiles(files: { file: string; display: string }[]): AsyncGenerator<ImportItem> {
  for (const { file, display } of files) {
    try {
      yield { run: toRun(parseStateFile(file, display), display) };
    } catch (error) {
      yield { skipped: { source: display, reason: reasonOf(error) } };
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof UnsafePickleError || error instanceof PickleFormatError) return error.message;
  if (error instanceof SourceError) return `${error.source}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** state.pkl, else state.json, of each run folder, in a stable order. */
function stateFiles(root: string): { file: string; display: string }[] {
  const found: { file: string; display: string }[] = [];
  const visit = (dir: string, depth: number) => {
    for (const name of ['state.pkl', 'state.json']) {
      const file = join(dir, name);
      if (existsSync(file)) {
        found.push({ file, display: relative(root, file) || name });
        return;
      }
    }
    if (depth >= 2) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) visit(join(dir, entry.name), depth + 1);
    }
  };
  visit(root, 0);
  return found;
}

export function parseStateFile(file: string, display: string): JsonObject {
  const bytes = readFileSync(file);
  const data = file.endsWith('.pkl') ? readPickle(bytes, display) : (JSON.parse(bytes.toString('utf8')) as Json);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new SourceError(display, 'the file does not hold a run (a dict with steps)');
  return data;
}

async function openSqlite(file: string): Promise<Database> {
  // sql.js is SQLite compiled to WebAssembly: no native build, no install script (DuckDB's sqlite extension needs a download).
  const require = createRequire(import.meta.url);
  const initSqlJs = (await import('sql.js')).default;
  const SQL = await initSqlJs({ locateFile: (name: string) => require.resolve(`sql.js/dist/${name}`) });
  return new SQL.Database(readFileSync(file));
}

async function* readSqlite(db: Database, file: string): AsyncGenerator<ImportItem> {
  try {
    const result = db.exec('SELECT workflow_id, run_id, state_json FROM workflow_states ORDER BY workflow_id, run_id');
    for (const [workflowId, runId, stateJson] of result[0]?.values ?? []) {
      const display = `${file}#${String(workflowId)}/${String(runId)}`;
      try {
        const data = JSON.parse(String(stateJson)) as JsonObject;
        yield { run: toRun({ workflow_id: String(workflowId), run_id: String(runId), ...data }, display) };
      } catch (error) {
        yield { skipped: { source: display, reason: reasonOf(error) } };
      }
    }
  } finally {
    db.close();
  }
}

interface GrapheteriaStep {
  shared?: Json;
  next_node_id?: string | null;
  workflow_status?: string;
  node_statuses?: Record<string, string>;
  awaiting_input?: JsonObject | null;
  previous_node_id?: string | null;
  metadata?: { save_time?: string; step?: number; error?: string };
}

/** One run's tracking data as runlog events: RunStarted, every snapshot as a StepSnapshot, status and node-status changes. */
export function toRun(data: JsonObject, source: string): ImportedRun {
  const workflowId = checkId('workflow_id', data.workflow_id, source);
  const runId = checkId('run_id', data.run_id, source);
  if (!Array.isArray(data.steps) || data.steps.length === 0) throw new SourceError(source, 'no steps');
  const steps = data.steps as unknown as GrapheteriaStep[];
  steps.forEach((step, index) => {
    if (step === null || typeof step !== 'object') throw new SourceError(source, `step ${index} is not a dict`);
    if (!(String(step.workflow_status) in WORKFLOW_STATUS)) {
      throw new SourceError(source, `step ${index}: workflow_status '${String(step.workflow_status)}' is not one of ${Object.keys(WORKFLOW_STATUS).join(', ')}`);
    }
  });
  const parentRunId = typeof data.forked_from === 'string' ? data.forked_from : '';
  const forkStep = typeof data.forked_step === 'number' ? data.forked_step : 0;
  const stepTime = (step: GrapheteriaStep, fallback: Date) => parseSourceTime(step.metadata?.save_time) ?? fallback;
  const startTime = parseSourceTime(data.fork_time) ?? stepTime(steps[0], new Date(0));
  const nodeIds = new Set<string>();
  for (const step of steps) {
    for (const id of [step.previous_node_id, step.next_node_id, ...Object.keys(step.node_statuses ?? {})]) if (id) nodeIds.add(id);
  }

  const base = { workflowId, runId };
  const events: Event[] = [
    {
      ...base,
      runStarted: {
        workflowName: workflowId,
        parameters: isObject(steps[0].shared) ? steps[0].shared : {},
        nodeIds: [...nodeIds],
        parentRunId,
        forkStep: parentRunId ? forkStep : 0,
        time: startTime,
        tags: { source: 'grapheteria' },
      },
    },
  ];
  let runStatus: StatusName | undefined;
  let lastError: string | undefined;
  const nodeStatus = new Map<string, StatusName>();
  let logs = 0;
  let previousTime = startTime;
  steps.forEach((step, index) => {
    const time = stepTime(step, previousTime);
    previousTime = time;
    const number = typeof step.metadata?.step === 'number' ? step.metadata.step : (parentRunId ? forkStep : 0) + index;
    const statuses = step.node_statuses ?? {};
    for (const [node, value] of Object.entries(statuses)) {
      const status = NODE_STATUS[value];
      if (status && nodeStatus.get(node) !== status) {
        nodeStatus.set(node, status);
        events.push({ ...base, taskStatus: { taskName: node, attempt: 1, status, time, reason: status === 'STATUS_FAILED' ? (step.metadata?.error ?? '') : '' } });
      }
    }
    const error = step.metadata?.error;
    if (error && error !== lastError) {
      lastError = error;
      logs++;
      events.push({ ...base, log: { level: 'LOG_LEVEL_ERROR', message: error, taskName: step.next_node_id ?? '', time, attributes: { step: String(number) } } });
    }
    events.push({
      ...base,
      step: {
        step: number,
        nodeId: step.previous_node_id ?? '',
        stateJson: JSON.stringify(step),
        awaitingInput: step.awaiting_input !== null && step.awaiting_input !== undefined,
        nextNodeIds: step.next_node_id ? [step.next_node_id] : [],
        processedNodeIds: Object.keys(statuses).filter((node) => statuses[node] !== 'waiting_for_input'),
        waitingNodeIds: Object.keys(statuses).filter((node) => statuses[node] === 'waiting_for_input'),
        time,
      },
    });
    const status = WORKFLOW_STATUS[String(step.workflow_status)];
    if (status !== runStatus) {
      runStatus = status;
      events.push({ ...base, runStatus: { status, time, reason: status === 'STATUS_FAILED' ? (error ?? '') : '' } });
    }
  });
  return {
    source,
    workflowId,
    runId,
    events,
    counts: { steps: steps.length, logs, attempts: 0, branches: 0 },
    status: (runStatus ?? 'STATUS_RUNNING').replace('STATUS_', ''),
  };
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
