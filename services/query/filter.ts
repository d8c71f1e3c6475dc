// EventFilter at the edge: validated into the persister's filter spec, and matched against live events.
import { invalidArgument } from '../common/grpc-errors.js';
import type { EventFilter__Output } from '../common/gen/runlog/v1/EventFilter.js';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import { STORED_LEVELS, storedLevel } from '../common/enums.js';
import { TASK_KINDS, type EventFilterSpec, type EventKindName } from '../common/read-protocol.js';
import { idProblem } from '../common/ids.js';

const KIND_BY_ENUM: Record<string, EventKindName> = {
  EVENT_KIND_RUN_STARTED: 'runStarted',
  EVENT_KIND_LOG: 'log',
  EVENT_KIND_RUN_STATUS: 'runStatus',
  EVENT_KIND_TASK_STATUS: 'taskStatus',
  EVENT_KIND_STEP: 'step',
};

export function toFilterSpec(filter: EventFilter__Output | null, field = 'filter'): EventFilterSpec {
  const spec: EventFilterSpec = {};
  if (!filter) return spec;
  for (const [name, value] of [['workflow_id', filter.workflowId], ['run_id', filter.runId], ['task_name', filter.taskName]] as const) {
    if (value === '') continue;
    const problem = idProblem(value);
    if (problem) throw invalidArgument(`${field}.${name}: ${problem}`);
  }
  if (filter.runId && !filter.workflowId) throw invalidArgument(`${field}.run_id: needs ${field}.workflow_id (run ids are unique within a workflow)`);
  if (filter.workflowId) spec.workflowId = filter.workflowId;
  if (filter.runId) spec.runId = filter.runId;
  if (filter.taskName) spec.taskName = filter.taskName;
  if (filter.minLevel !== 'LOG_LEVEL_UNSPECIFIED') {
    const level = storedLevel(String(filter.minLevel));
    if (!STORED_LEVELS.includes(level)) throw invalidArgument(`${field}.min_level: unknown level ${filter.minLevel}`);
    spec.minLevel = level;
  }
  const kinds = filter.kinds.filter((kind) => kind !== 'EVENT_KIND_UNSPECIFIED');
  for (const kind of kinds) if (!KIND_BY_ENUM[kind]) throw invalidArgument(`${field}.kinds: unknown kind ${kind}`);
  if (kinds.length > 0) spec.kinds = [...new Set(kinds.map((kind) => KIND_BY_ENUM[kind]))];
  return spec;
}

/** The live twin of the persister's SQL filter (persister/read/events.ts): the same events must pass both. */
export function matchesFilter(spec: EventFilterSpec, event: Event__Output): boolean {
  if (spec.workflowId && event.workflowId !== spec.workflowId) return false;
  if (spec.runId && event.runId !== spec.runId) return false;
  const kind = event.kind as EventKindName;
  if (spec.kinds && !spec.kinds.includes(kind)) return false;
  if (spec.taskName) {
    if (!TASK_KINDS.has(kind)) return false;
    const taskName = kind === 'log' ? event.log?.taskName : event.taskStatus?.taskName;
    if (taskName !== spec.taskName) return false;
  }
  if (spec.minLevel && kind === 'log') {
    const level = storedLevel(String(event.log?.level));
    if (STORED_LEVELS.indexOf(level) < STORED_LEVELS.indexOf(spec.minLevel)) return false;
  }
  return true;
}
