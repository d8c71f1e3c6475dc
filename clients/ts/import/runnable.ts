// Reads Runnable's run log stores: file-system (<run_id>.json) and chunked-fs (<run_id>/ folders, old and new layouts), all schema versions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Json, JsonObject } from '../src/convert.js';
import type { Event, StatusName } from '../src/types.js';
import { checkId, parseSourceTime, SourceError, type ImportItem, type ImportedRun } from './model.js';

interface Attempt {
  attempt_number?: number;
  start_time?: string | null;
  end_time?: string | null;
  status?: string;
  message?: string;
  parameters?: JsonObject;
  input_parameters?: JsonObject;
  output_parameters?: JsonObject;
  user_defined_metrics?: JsonObject;
  retry_indicator?: string;
  code_identities?: { code_identifier?: string; code_identifier_type?: string }[];
}

interface StepLog {
  name?: string;
  internal_name: string;
  status?: string;
  step_type?: string;
  message?: string;
  attempts?: Attempt[];
  branches?: Record<string, BranchLog>;
  code_identities?: Attempt['code_identities'];
}

interface BranchLog {
  internal_name: string;
  status?: string;
  steps?: Record<string, StepLog>;
  parameters?: JsonObject;
}

interface RunLog {
  run_id?: string;
  dag_hash?: string | null;
  tag?: string | null;
  status?: string;
  steps?: Record<string, StepLog>;
  job?: (Omit<StepLog, 'internal_name'> & { internal_name?: string }) | null;
  parameters?: JsonObject;
  run_config?: JsonObject | null;
  use_cached?: boolean;
  original_run_id?: string;
}

const STATUS: Record<string, StatusName> = {
  CREATED: 'STATUS_PENDING',
  PROCESSING: 'STATUS_RUNNING',
  TRIGGERED: 'STATUS_RUNNING',
  SUCCESS: 'STATUS_COMPLETED',
  FAIL: 'STATUS_FAILED',
};

export interface RunnableOptions {
  /** Workflow id of every run; default: from the run's pipeline file (`pipelines/etl.py` → `pipelines.etl`), else `runnable`. */
  workflowId?: string;
}

/** Every run of the store at `path` (the `.run_log_store` folder, or a folder holding one); `total` for a progress bar. */
export function openRunnable(path: string, options: RunnableOptions = {}): { total: number; items: AsyncGenerator<ImportItem> } {
  const store = existsSync(join(path, '.run_log_store')) ? join(path, '.run_log_store') : path;
  const entries = readdirSync(store, { withFileTypes: true })
    .filter((entry) => (entry.isFile() && entry.name.endsWith('.json')) || (entry.isDirectory() && existsSync(join(store, entry.name, 'RunLog.json'))))
    .sort((a, b) => a.name.localeCompare(b.name));
  async function* items(): AsyncGenerator<ImportItem> {
    for (const entry of entries) {
      const full = join(store, entry.name);
      const display = relative(path, full) || entry.name;
      try {
        yield { run: toRun(entry.isFile() ? (readJson(full) as RunLog) : readChunked(full), display, options) };
      } catch (error) {
        yield { skipped: { source: display, reason: error instanceof SourceError ? `${display}: ${error.message}` : error instanceof Error ? error.message : String(error) } };
      }
    }
  }
  return { total: entries.length, items: items() };
}

function readJson(file: string): Json {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new SourceError(basename(file), `not JSON: ${(error as Error).message}`);
  }
}

/**
 * A chunked-fs run folder as one nested RunLog. ≥0.48: RunLog.json with the root steps, one
 * BranchLog-<branch>.json per branch with its steps. ≤0.47: RunLog.json with metadata only, one
 * Parameter-<name>.json per root parameter, StepLog-<step>-<ns>.json and BranchLog-<branch>-<ns>.json
 * (names may contain '-' and '.': the content's internal_name counts, the trailing ns orders).
 */
function readChunked(dir: string): RunLog {
  const run = readJson(join(dir, 'RunLog.json')) as RunLog;
  const steps = new Map<string, { log: StepLog; order: number }>();
  const branches = new Map<string, { log: BranchLog; order: number }>();
  let order = 0;
  const addStep = (log: StepLog, at: number) => {
    const known = steps.get(log.internal_name);
    // Several files for one step (rewritten over time): the latest wins.
    if (!known || known.order <= at) steps.set(log.internal_name, { log, order: known?.order ?? at });
    for (const child of Object.values(log.branches ?? {})) addBranch(child, at);
  };
  const addBranch = (log: BranchLog, at: number) => {
    const known = branches.get(log.internal_name);
    if (!known || known.order <= at) branches.set(log.internal_name, { log, order: known?.order ?? at });
    for (const child of Object.values(log.steps ?? {})) addStep(child, at + 1e-6 * ++order);
  };
  for (const step of Object.values(run.steps ?? {})) addStep(step, ++order);

  const files = readdirSync(dir)
    .filter((name) => name !== 'RunLog.json' && name.endsWith('.json'))
    .map((name) => {
      const stem = name.slice(0, -'.json'.length);
      const trailing = /-(\d{15,})$/.exec(stem);
      return { name, ns: trailing ? BigInt(trailing[1]) : undefined };
    })
    // Old layout: by the trailing time; new layout (no time in the name): by name, after the root steps.
    .sort((a, b) => (a.ns !== undefined && b.ns !== undefined ? (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0) : a.name.localeCompare(b.name)));
  const parameters: JsonObject = { ...(run.parameters ?? {}) };
  for (const { name } of files) {
    const content = readJson(join(dir, name)) as JsonObject;
    const at = ++order;
    if (name.startsWith('Parameter-')) Object.assign(parameters, content);
    else if (name.startsWith('StepLog-')) addStep(content as unknown as StepLog, at);
    else if (name.startsWith('BranchLog-')) addBranch(content as unknown as BranchLog, at);
  }

  // Re-nest: a branch belongs to the longest step name it extends, a step to the longest branch name
  // (map values may hold dots, so the last dot is not the boundary); a step under no branch is a root step.
  const byOrder = <T>(map: Map<string, { log: T; order: number }>) => [...map.values()].sort((a, b) => a.order - b.order).map((entry) => entry.log);
  const stepNames = [...steps.keys()];
  const branchNames = [...branches.keys()];
  const rootSteps: Record<string, StepLog> = {};
  const stepCopies = new Map<string, StepLog>();
  const branchCopies = new Map<string, BranchLog>();
  for (const log of byOrder(steps)) stepCopies.set(log.internal_name, { ...log, branches: {} });
  for (const log of byOrder(branches)) branchCopies.set(log.internal_name, { ...log, steps: {} });
  for (const log of byOrder(branches)) {
    const parent = longestPrefix(log.internal_name, stepNames);
    const branch = branchCopies.get(log.internal_name)!;
    if (parent) stepCopies.get(parent)!.branches![log.internal_name] = branch;
  }
  for (const log of byOrder(steps)) {
    const parent = longestPrefix(log.internal_name, branchNames);
    const step = stepCopies.get(log.internal_name)!;
    if (parent) branchCopies.get(parent)!.steps![log.internal_name] = step;
    else rootSteps[log.internal_name] = step;
  }
  return { ...run, steps: rootSteps, parameters };
}

function longestPrefix(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  for (const candidate of candidates) {
    if (candidate !== name && name.startsWith(`${candidate}.`) && (!best || candidate.length > best.length)) best = candidate;
  }
  return best;
}

/** Schema generation of a run log, from the fields each added or dropped. */
export function schemaVersion(run: RunLog): string {
  const attempts: Attempt[] = [];
  const parameters: JsonObject[] = [];
  const branches: BranchLog[] = [];
  const visitStep = (step: StepLog) => {
    attempts.push(...(step.attempts ?? []));
    for (const branch of Object.values(step.branches ?? {})) {
      branches.push(branch);
      Object.values(branch.steps ?? {}).forEach(visitStep);
    }
  };
  Object.values(run.steps ?? {}).forEach(visitStep);
  if (run.job) attempts.push(...(run.job.attempts ?? []));
  for (const value of Object.values(run.parameters ?? {})) if (isObject(value)) parameters.push(value);
  if ('use_cached' in run || 'original_run_id' in run || attempts.some((a) => 'parameters' in a && !('input_parameters' in a))) return '0.10';
  if (parameters.some((p) => 'reduced' in p) || attempts.some((a) => Object.values(a.output_parameters ?? {}).some((p) => isObject(p) && 'reduced' in p))) {
    return attempts.some((a) => 'retry_indicator' in a) ? '0.45-0.47' : '0.11-0.44';
  }
  if (!attempts.some((a) => 'retry_indicator' in a) && !branches.some((b) => 'parameters' in b)) return '0.11-0.44';
  return '0.48+';
}

/** A Parameter object's value (≥0.11), or the raw value (≤0.10). */
function parameterValue(value: Json): Json {
  return isObject(value) && 'kind' in value && 'value' in value ? value.value : value;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function workflowOf(run: RunLog, options: RunnableOptions): string {
  if (options.workflowId) return options.workflowId;
  const config = run.run_config ?? {};
  const file = [config.pipeline_definition_file, config.pipeline_file, config.job_definition_file].find((value) => typeof value === 'string' && value !== '') as string | undefined;
  return file ? file.replace(/\.[^./]+$/, '').replace(/[\\/]+/g, '.') : 'runnable';
}

export function toRun(run: RunLog, source: string, options: RunnableOptions = {}): ImportedRun {
  const runId = checkId('run_id', run.run_id, source);
  const workflowId = checkId('workflow id', workflowOf(run, options), source);
  const base = { workflowId, runId };
  const version = schemaVersion(run);
  const events: Event[] = [];
  const counts = { steps: 0, logs: 0, attempts: 0, branches: 0 };
  const times: Date[] = [];
  const nodeIds: string[] = [];

  // Attempt numbers start at 1 in runlog; magnus wrote them from 0.
  const attemptOffset = (attempts: Attempt[]) => (attempts.some((a) => a.attempt_number === 0) ? 1 : 0);

  /** A step's events; answers its time span, so composite steps and branches get theirs from their children. */
  const visitStep = (step: StepLog, taskName: string): { start?: Date; end?: Date } => {
    counts.steps++;
    nodeIds.push(taskName);
    const span: { start?: Date; end?: Date } = {};
    const widen = (start?: Date, end?: Date) => {
      if (start && (!span.start || start < span.start)) span.start = start;
      if (end && (!span.end || end > span.end)) span.end = end;
    };
    const attempts = step.attempts ?? [];
    const offset = attemptOffset(attempts);
    for (const attempt of attempts) {
      counts.attempts++;
      const number = (attempt.attempt_number ?? 1) + offset;
      const start = parseSourceTime(attempt.start_time);
      const end = parseSourceTime(attempt.end_time) ?? start;
      widen(start, end);
      if (start) times.push(start);
      if (end) times.push(end);
      const final = STATUS[attempt.status ?? 'FAIL'] ?? 'STATUS_FAILED';
      if (start) events.push({ ...base, taskStatus: { taskName, attempt: number, status: 'STATUS_RUNNING', time: start } });
      events.push({ ...base, taskStatus: { taskName, attempt: number, status: final, time: end, reason: (attempt.message ?? '').trim() } });
      counts.logs++;
      events.push({ ...base, log: { taskName, taskInstanceId: attempt.retry_indicator ?? '', level: final === 'STATUS_COMPLETED' ? 'LOG_LEVEL_INFO' : 'LOG_LEVEL_ERROR', message: attemptMessage(step, number, attempt), attributes: attemptAttributes(attempt), time: end } });
    }
    for (const branch of Object.values(step.branches ?? {})) {
      counts.branches++;
      nodeIds.push(branch.internal_name);
      const child: { start?: Date; end?: Date } = {};
      for (const inner of Object.values(branch.steps ?? {})) {
        const innerSpan = visitStep(inner, inner.internal_name);
        if (innerSpan.start && (!child.start || innerSpan.start < child.start)) child.start = innerSpan.start;
        if (innerSpan.end && (!child.end || innerSpan.end > child.end)) child.end = innerSpan.end;
      }
      widen(child.start, child.end);
      if (child.start) events.push({ ...base, taskStatus: { taskName: branch.internal_name, attempt: 1, status: 'STATUS_RUNNING', time: child.start } });
      events.push({ ...base, taskStatus: { taskName: branch.internal_name, attempt: 1, status: STATUS[branch.status ?? 'FAIL'] ?? 'STATUS_FAILED', time: child.end } });
    }
    if (attempts.length === 0) {
      // A composite step (map, parallel) or one never attempted: its own status, over its children's span.
      if (span.start) events.push({ ...base, taskStatus: { taskName, attempt: 1, status: 'STATUS_RUNNING', time: span.start } });
      events.push({ ...base, taskStatus: { taskName, attempt: 1, status: STATUS[step.status ?? 'FAIL'] ?? 'STATUS_FAILED', time: span.end, reason: step.message ?? '' } });
    }
    return span;
  };

  for (const step of Object.values(run.steps ?? {})) visitStep(step, step.internal_name);
  if (run.job) visitStep({ ...run.job, internal_name: 'job', name: 'job' } as StepLog, 'job');

  const sorted = [...times].sort((a, b) => a.getTime() - b.getTime());
  const startTime = sorted[0] ?? new Date(0);
  const endTime = sorted.at(-1) ?? startTime;
  // Undated task events (an attempt without times) take the run's start, so the ingest clock does not stamp them.
  for (const event of events) {
    if (event.taskStatus && !event.taskStatus.time) event.taskStatus.time = startTime;
    if (event.log && !event.log.time) event.log.time = startTime;
  }
  const parameters: JsonObject = {};
  for (const [name, value] of Object.entries(run.parameters ?? {})) parameters[name] = parameterValue(value);
  const status = STATUS[run.status ?? 'FAIL'] ?? 'STATUS_FAILED';
  const tags: Record<string, string> = { source: 'runnable', 'runnable.schema': version };
  if (run.tag) tags.tag = run.tag;
  const head: Event[] = [
    {
      ...base,
      runStarted: {
        workflowName: workflowId,
        tags,
        parameters,
        config: run.run_config ?? {},
        dagHash: run.dag_hash ?? '',
        nodeIds: [...new Set(nodeIds)],
        time: startTime,
      },
    },
    { ...base, runStatus: { status: 'STATUS_RUNNING', time: startTime } },
  ];
  const tail: Event[] = status === 'STATUS_RUNNING' ? [] : [{ ...base, runStatus: { status, time: endTime } }];
  return { source, workflowId, runId, events: [...head, ...events, ...tail], counts, status: status.replace('STATUS_', '') };
}

function attemptMessage(step: StepLog, number: number, attempt: Attempt): string {
  const retry = attempt.retry_indicator ? ` (retry ${attempt.retry_indicator})` : '';
  const message = (attempt.message ?? '').trim();
  return `${step.step_type ?? 'step'} ${step.name ?? step.internal_name} attempt ${number}: ${attempt.status ?? 'UNKNOWN'}${retry}${message ? `: ${message}` : ''}`;
}

// runlog's limits: 64 attributes of at most 4 KiB each.
const MAX_ATTRIBUTES = 64;
const MAX_ATTRIBUTE_BYTES = 4096;

/** Output parameters and metrics (JSON text), the code identity, as log attributes. */
function attemptAttributes(attempt: Attempt): Record<string, string> {
  const attributes: Record<string, string> = {};
  const put = (key: string, value: Json) => {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES) return;
    let text = typeof value === 'string' ? value : JSON.stringify(value);
    if (Buffer.byteLength(text) > MAX_ATTRIBUTE_BYTES) text = `${Buffer.from(text).subarray(0, MAX_ATTRIBUTE_BYTES - 3).toString('utf8').replace(/\uFFFD$/, '')}...`;
    attributes[key] = text;
  };
  const identity = attempt.code_identities?.[0];
  if (identity?.code_identifier) put('code', `${identity.code_identifier_type ?? ''}:${identity.code_identifier}`);
  for (const [name, value] of Object.entries(attempt.output_parameters ?? attempt.parameters ?? {})) put(`param.${name}`, parameterValue(value));
  for (const [name, value] of Object.entries(attempt.user_defined_metrics ?? {})) put(`metric.${name}`, parameterValue(value));
  return attributes;
}
