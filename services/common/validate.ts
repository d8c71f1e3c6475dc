// Checks every AppendRequest at the edge; the first problem becomes INVALID_ARGUMENT naming event index and field.
import { integer, size, type Spec } from './config.js';
import { LOG_LEVELS, RUN_STATUSES, STORED_LEVELS, TASK_STATUSES } from './enums.js';
import { invalidArgument } from './grpc-errors.js';
import { CONTROL_CHARACTERS, idProblem, MAX_ID_BYTES } from './ids.js';
import type { AppendRequest__Output } from './gen/runlog/v1/AppendRequest.js';
import type { Event__Output } from './gen/runlog/v1/Event.js';
import type { Timestamp__Output } from './gen/google/protobuf/Timestamp.js';

export const LIMITS_SPEC = {
  maxEventsPerRequest: { env: 'RUNLOG_MAX_EVENTS_PER_REQUEST', default: 10_000, parse: integer(1, 1_000_000), help: 'events in one AppendRequest' },
  maxMessageBytes: { env: 'RUNLOG_MAX_MESSAGE_BYTES', default: 64 * 1024, parse: size, help: 'bytes of one log message or status reason' },
  maxAttributes: { env: 'RUNLOG_MAX_ATTRIBUTES', default: 64, parse: integer(0, 10_000), help: 'entries of one attributes or tags map' },
  maxAttributeBytes: { env: 'RUNLOG_MAX_ATTRIBUTE_BYTES', default: 4096, parse: size, help: 'bytes of one attribute or tag value' },
  maxStateBytes: { env: 'RUNLOG_MAX_STATE_BYTES', default: 4 * 1024 * 1024, parse: size, help: 'bytes of one step state, parameters or config' },
  maxNodeIds: { env: 'RUNLOG_MAX_NODE_IDS', default: 10_000, parse: integer(0, 1_000_000), help: 'node ids in one definition or step' },
} satisfies Spec;

export interface Limits {
  maxEventsPerRequest: number;
  maxMessageBytes: number;
  maxAttributes: number;
  maxAttributeBytes: number;
  maxStateBytes: number;
  maxNodeIds: number;
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const LEVELS = new Set<string>(LOG_LEVELS);
const LEVEL_LIST = STORED_LEVELS.join(', ');
const RUN_STATUS_SET = new Set<string>(RUN_STATUSES);
const TASK_STATUS_SET = new Set<string>(TASK_STATUSES);
// Year 1 to 9999, what google.protobuf.Timestamp allows.
const MIN_SECONDS = -62_135_596_800;
const MAX_SECONDS = 253_402_300_799;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** A check that failed: the field path below the event, and what is wrong. */
class FieldProblem {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {}
}

export function validateAppendRequest(request: AppendRequest__Output, limits: Limits): void {
  if (request.requestId !== '' && !REQUEST_ID.test(request.requestId)) {
    throw invalidArgument('request_id: must be 1 to 128 printable ASCII characters without spaces');
  }
  if (request.events.length === 0) throw invalidArgument('events: must not be empty');
  if (request.events.length > limits.maxEventsPerRequest) {
    throw invalidArgument(`events: ${request.events.length} events exceed the limit of ${limits.maxEventsPerRequest} per request`);
  }
  for (let index = 0; index < request.events.length; index++) {
    try {
      validateEvent(request.events[index], limits);
    } catch (error) {
      if (error instanceof FieldProblem) throw invalidArgument(`events[${index}].${error.field}: ${error.problem}`);
      throw error;
    }
  }
}

export function validateEvent(event: Event__Output, limits: Limits): void {
  checkId('workflow_id', event.workflowId);
  checkId('run_id', event.runId);
  switch (event.kind) {
    case 'runStarted': {
      const started = event.runStarted!;
      checkText('run_started.workflow_name', started.workflowName, MAX_ID_BYTES);
      checkMap('run_started.tags', started.tags, limits);
      checkJsonSize('run_started.parameters', started.parameters, limits.maxStateBytes);
      checkJsonSize('run_started.config', started.config, limits.maxStateBytes);
      checkText('run_started.dag_hash', started.dagHash, MAX_ID_BYTES);
      checkIdList('run_started.node_ids', started.nodeIds, limits);
      if (started.parentRunId !== '') checkId('run_started.parent_run_id', started.parentRunId);
      checkStep('run_started.fork_step', started.forkStep);
      checkTime('run_started.time', started.time);
      return;
    }
    case 'log': {
      const log = event.log!;
      checkText('log.task_name', log.taskName, MAX_ID_BYTES);
      checkText('log.task_instance_id', log.taskInstanceId, MAX_ID_BYTES);
      checkTime('log.time', log.time);
      if (!LEVELS.has(log.level)) throw new FieldProblem('log.level', `must be one of ${LEVEL_LIST} (got ${log.level})`);
      if (utf8Length(log.message) > limits.maxMessageBytes) throw new FieldProblem('log.message', `longer than ${limits.maxMessageBytes} bytes`);
      checkMap('log.attributes', log.attributes, limits);
      if (log.traceId !== '' && !TRACE_ID.test(log.traceId)) throw new FieldProblem('log.trace_id', 'must be 32 lowercase hex digits');
      if (log.spanId !== '' && !SPAN_ID.test(log.spanId)) throw new FieldProblem('log.span_id', 'must be 16 lowercase hex digits');
      return;
    }
    case 'runStatus': {
      const change = event.runStatus!;
      if (!RUN_STATUS_SET.has(change.status)) throw new FieldProblem('run_status.status', `must be a run status from PENDING to CANCELLED (got ${change.status})`);
      checkTime('run_status.time', change.time);
      if (utf8Length(change.reason) > limits.maxMessageBytes) throw new FieldProblem('run_status.reason', `longer than ${limits.maxMessageBytes} bytes`);
      return;
    }
    case 'taskStatus': {
      const change = event.taskStatus!;
      checkId('task_status.task_name', change.taskName);
      checkText('task_status.task_instance_id', change.taskInstanceId, MAX_ID_BYTES);
      if (!TASK_STATUS_SET.has(change.status)) throw new FieldProblem('task_status.status', `must be a task status from PENDING to SKIPPED (got ${change.status})`);
      checkTime('task_status.time', change.time);
      if (utf8Length(change.reason) > limits.maxMessageBytes) throw new FieldProblem('task_status.reason', `longer than ${limits.maxMessageBytes} bytes`);
      return;
    }
    case 'step': {
      const step = event.step!;
      checkStep('step.step', step.step);
      checkText('step.node_id', step.nodeId, MAX_ID_BYTES);
      checkStateJson('step.state_json', step.stateJson, limits.maxStateBytes);
      checkIdList('step.next_node_ids', step.nextNodeIds, limits);
      checkIdList('step.processed_node_ids', step.processedNodeIds, limits);
      checkIdList('step.waiting_node_ids', step.waitingNodeIds, limits);
      checkTime('step.time', step.time);
      return;
    }
    default:
      throw new FieldProblem('kind', 'must be set to one of run_started, log, run_status, task_status, step');
  }
}

function checkId(field: string, value: string): void {
  const problem = idProblem(value);
  if (problem) throw new FieldProblem(field, problem);
}

function checkText(field: string, value: string, maxBytes: number): void {
  if (utf8Length(value) > maxBytes) throw new FieldProblem(field, `longer than ${maxBytes} bytes`);
  if (CONTROL_CHARACTERS.test(value)) throw new FieldProblem(field, 'must not contain control characters or invalid UTF-8');
}

function checkIdList(field: string, values: string[], limits: Limits): void {
  if (values.length > limits.maxNodeIds) throw new FieldProblem(field, `more than ${limits.maxNodeIds} entries`);
  values.forEach((value, index) => checkId(`${field}[${index}]`, value));
}

function checkMap(field: string, map: Record<string, string>, limits: Limits): void {
  const keys = Object.keys(map);
  if (keys.length > limits.maxAttributes) throw new FieldProblem(field, `more than ${limits.maxAttributes} entries`);
  for (const key of keys) {
    if (key === '') throw new FieldProblem(field, 'keys must not be empty');
    checkText(`${field}[${JSON.stringify(key)}]`, key, MAX_ID_BYTES);
    if (utf8Length(map[key]) > limits.maxAttributeBytes) throw new FieldProblem(`${field}[${JSON.stringify(key)}]`, `value longer than ${limits.maxAttributeBytes} bytes`);
  }
}

function checkStep(field: string, value: string): void {
  const step = Number(value);
  if (!Number.isSafeInteger(step) || step < 0) throw new FieldProblem(field, `must be a step number from 0 to ${Number.MAX_SAFE_INTEGER}`);
}

function checkTime(field: string, time: Timestamp__Output | null): void {
  if (!time) return;
  const seconds = Number(time.seconds);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || time.nanos < 0 || time.nanos > 999_999_999) {
    throw new FieldProblem(field, 'must be a valid timestamp between years 1 and 9999');
  }
}

function checkJsonSize(field: string, value: unknown, maxBytes: number): void {
  if (value && utf8Length(JSON.stringify(value)) > maxBytes) throw new FieldProblem(field, `larger than ${maxBytes} bytes`);
}

function checkStateJson(field: string, text: string, maxBytes: number): void {
  if (utf8Length(text) > maxBytes) throw new FieldProblem(field, `larger than ${maxBytes} bytes (RUNLOG_MAX_STATE_BYTES)`);
  if (text === '') return;
  try {
    JSON.parse(text);
  } catch {
    throw new FieldProblem(field, 'must be valid JSON text');
  }
}
