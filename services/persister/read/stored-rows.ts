// Stored rows back into runlog.v1 events: one SELECT list and one converter per table.
import { DuckDBMapValue } from '@duckdb/node-api';
import type { Event } from '../../common/gen/runlog/v1/Event.js';
import type { LogLevel } from '../../common/gen/runlog/v1/LogLevel.js';
import type { Status } from '../../common/gen/runlog/v1/Status.js';
import { EVENT_KINDS, type EventFilterSpec, type EventKindName, type StoredEventRow } from '../../common/read-protocol.js';
import { jsonToStruct, microsToTimestamp, type Json } from '../../common/values.js';

/** A row as DuckDB's JSON-friendly reader gives it (big integers as strings, maps as entry arrays), or as its own values. */
export type JsonRow = Record<string, unknown>;

export const KIND_TABLE: Record<EventKindName, string> = {
  runStarted: 'runs',
  log: 'logs',
  runStatus: 'run_status',
  taskStatus: 'task_status',
  step: 'steps',
};

// Times as BIGINT microseconds: the JSON reader makes them strings, selectValueRows bigints; both convert alike.
const TIME_COLUMNS = 'epoch_us(ingest_time) AS ingest_us, epoch_us(time) AS time_us';

/** Each kind's columns beyond position, ids and times. */
const OWN_COLUMNS: Record<EventKindName, string> = {
  runStarted: 'workflow_name, tags, parameters, config, dag_hash, node_ids, parent_run_id, fork_step',
  log: 'task_name, task_instance_id, level, message, attributes, trace_id, span_id',
  runStatus: 'status, reason',
  taskStatus: 'task_name, task_instance_id, attempt, status, reason',
  step: 'step, node_id, state, awaiting_input, next_node_ids, processed_node_ids, waiting_node_ids',
};

/** The SELECT list of each kind's table. */
export const KIND_COLUMNS = Object.fromEntries(
  EVENT_KINDS.map((kind) => [kind, `seq, idx, workflow_id, run_id, ${TIME_COLUMNS}, ${OWN_COLUMNS[kind]}`]),
) as Record<EventKindName, string>;

/**
 * A kind's SELECT list without the ids the filter fixes, and those ids as the start of every row
 * (`fixed`): every row holds the filter's value anyway, and reading 1,000 copies of it costs.
 */
export function columnsFor(kind: EventKindName, filter: EventFilterSpec): { columns: string; fixed: JsonRow } {
  const fixed: JsonRow = {};
  if (filter.workflowId) fixed.workflow_id = filter.workflowId;
  if (filter.runId) fixed.run_id = filter.runId;
  const ids = ['workflow_id', 'run_id'].filter((column) => !(column in fixed));
  return { columns: ['seq, idx', ...ids, TIME_COLUMNS, OWN_COLUMNS[kind]].join(', '), fixed };
}

/** A text column's value; '' for NULL. */
export const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
/** A list column's values as text; none for NULL. */
export const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
const time = (row: JsonRow) => microsToTimestamp(BigInt(row.time_us as string | bigint));
const mapOf = (value: unknown): Record<string, string> =>
  Object.fromEntries(((value instanceof DuckDBMapValue ? value.entries : (value as { key: string; value: string }[] | null)) ?? []).map(({ key, value: v }) => [key, String(v)]));
const struct = (text: unknown) => (typeof text === 'string' ? jsonToStruct(JSON.parse(text) as { [key: string]: Json }) : null);

export function rowToStoredEvent(kind: EventKindName, row: JsonRow): StoredEventRow {
  const event: Event = { workflowId: row.workflow_id as string, runId: row.run_id as string, kind };
  switch (kind) {
    case 'runStarted':
      event.runStarted = {
        workflowName: str(row.workflow_name), tags: mapOf(row.tags), parameters: struct(row.parameters), config: struct(row.config),
        dagHash: str(row.dag_hash), nodeIds: strings(row.node_ids), parentRunId: str(row.parent_run_id),
        forkStep: row.fork_step === null ? '0' : str(row.fork_step), time: time(row),
      };
      break;
    case 'log':
      event.log = {
        taskName: str(row.task_name), taskInstanceId: str(row.task_instance_id), time: time(row), level: `LOG_LEVEL_${row.level}` as LogLevel,
        message: str(row.message), attributes: mapOf(row.attributes), traceId: str(row.trace_id), spanId: str(row.span_id),
      };
      break;
    case 'runStatus':
      event.runStatus = { status: `STATUS_${row.status}` as Status, time: time(row), reason: str(row.reason) };
      break;
    case 'taskStatus':
      event.taskStatus = {
        taskName: str(row.task_name), taskInstanceId: str(row.task_instance_id), attempt: Number(row.attempt),
        status: `STATUS_${row.status}` as Status, time: time(row), reason: str(row.reason),
      };
      break;
    case 'step':
      event.step = {
        step: str(row.step), nodeId: str(row.node_id), stateJson: str(row.state), awaitingInput: Boolean(row.awaiting_input),
        nextNodeIds: strings(row.next_node_ids), processedNodeIds: strings(row.processed_node_ids),
        waitingNodeIds: strings(row.waiting_node_ids), time: time(row),
      };
      break;
  }
  return { seq: Number(row.seq), idx: Number(row.idx), ingestMicros: String(row.ingest_us), event };
}
