// ListWorkflows, ListRuns and GetRun: fan out to the partitions that can hold the answer, merge, page.
import { invalidArgument, notFound } from '../common/grpc-errors.js';
import type { GetRunRequest__Output } from '../common/gen/runlog/v1/GetRunRequest.js';
import type { GetRunResponse } from '../common/gen/runlog/v1/GetRunResponse.js';
import type { ListRunsRequest__Output } from '../common/gen/runlog/v1/ListRunsRequest.js';
import type { ListRunsResponse } from '../common/gen/runlog/v1/ListRunsResponse.js';
import type { ListWorkflowsRequest__Output } from '../common/gen/runlog/v1/ListWorkflowsRequest.js';
import type { ListWorkflowsResponse } from '../common/gen/runlog/v1/ListWorkflowsResponse.js';
import type { RunSummary } from '../common/gen/runlog/v1/RunSummary.js';
import type { Status } from '../common/gen/runlog/v1/Status.js';
import type { StatusEntry } from '../common/gen/runlog/v1/StatusEntry.js';
import type { RunKey, RunRow, StatusRow } from '../common/read-protocol.js';
import { idProblem } from '../common/ids.js';
import { jsonToStruct, microsToTimestamp, timestampToMicros, type Json } from '../common/values.js';
import { decodeListingToken, encodeToken } from './cursor.js';
import { pageSize } from './paging.js';
import type { PersisterClient } from './persister-client.js';

function checkId(field: string, value: string): void {
  const problem = idProblem(value);
  if (problem) throw invalidArgument(`${field}: ${problem}`);
}

export async function listWorkflows(reader: PersisterClient, request: ListWorkflowsRequest__Output): Promise<ListWorkflowsResponse> {
  const limit = pageSize(request.pageSize);
  const after = request.pageToken ? decodeListingToken(request.pageToken, 'workflows', (v): v is string => typeof v === 'string') : undefined;
  const answers = await reader.askAll(() => ({ op: 'workflows' as const, after, limit }));
  const merged = answers.flatMap((answer) => answer.result.items).sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
  const page = merged.slice(0, limit);
  const more = merged.length > limit || answers.some((answer) => answer.result.more);
  return {
    workflows: page.map((w) => ({ workflowId: w.workflowId, workflowName: w.workflowName, runCount: String(w.runCount), lastRunTime: microsToTimestamp(BigInt(w.lastRunMicros)) })),
    nextPageToken: more && page.length > 0 ? encodeToken({ after: page[page.length - 1].workflowId, request: 'workflows' }) : '',
  };
}

const isRunKey = (value: unknown): value is RunKey =>
  Array.isArray(value) && value.length === 3 && /^-?\d+$/.test(String(value[0])) && value.every((part) => typeof part === 'string');

/** ListRuns order: newest start first, then workflow id, then run id. */
function compareRuns(a: RunRow, b: RunRow): number {
  const startA = BigInt(a.startMicros);
  const startB = BigInt(b.startMicros);
  if (startA !== startB) return startA > startB ? -1 : 1;
  if (a.workflowId !== b.workflowId) return a.workflowId < b.workflowId ? -1 : 1;
  return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}

export async function listRuns(reader: PersisterClient, request: ListRunsRequest__Output): Promise<ListRunsResponse> {
  if (request.workflowId) checkId('workflow_id', request.workflowId);
  for (const key of Object.keys(request.tags)) checkId(`tags[${JSON.stringify(key)}]`, key);
  const limit = pageSize(request.pageSize);
  const statuses = request.statuses.map((status) => {
    if (status === 'STATUS_UNSPECIFIED' || !String(status).startsWith('STATUS_')) throw invalidArgument(`statuses: unknown status ${status}`);
    return String(status).replace(/^STATUS_/, '');
  });
  const startMicros = timestampToMicros(request.startTime)?.toString();
  const endMicros = timestampToMicros(request.endTime)?.toString();
  const fingerprint = JSON.stringify(['runs', request.workflowId, statuses, request.tags, startMicros, endMicros]);
  const after = request.pageToken ? decodeListingToken(request.pageToken, fingerprint, isRunKey) : undefined;
  const ask = { op: 'runs' as const, workflowId: request.workflowId || undefined, statuses, tags: request.tags, startMicros, endMicros, after, limit };
  const answers = request.workflowId
    ? [await reader.ask(reader.partitionOf(request.workflowId), ask)]
    : await reader.askAll(() => ask);
  const merged = answers.flatMap((answer) => answer.result.items).sort(compareRuns);
  const page = merged.slice(0, limit);
  const more = merged.length > limit || answers.some((answer) => answer.result.more);
  const last = page[page.length - 1];
  return {
    runs: page.map(toRunSummary),
    nextPageToken: more && last ? encodeToken({ after: [last.startMicros, last.workflowId, last.runId], request: fingerprint }) : '',
  };
}

export async function getRun(reader: PersisterClient, request: GetRunRequest__Output): Promise<GetRunResponse> {
  checkId('workflow_id', request.workflowId);
  checkId('run_id', request.runId);
  const { result: run } = await reader.ask(reader.partitionOf(request.workflowId), { op: 'run', workflowId: request.workflowId, runId: request.runId });
  if (!run) throw notFound(`run '${request.runId}' of workflow '${request.workflowId}' not found`);
  return {
    run: {
      summary: toRunSummary(run.summary),
      timeline: run.timeline.map(toStatusEntry),
      tasks: run.tasks.map((task) => ({
        taskName: task.taskName, taskInstanceId: task.taskInstanceId, status: toStatus(task.status), attempt: task.attempt,
        timeline: task.timeline.map(toStatusEntry),
      })),
      parameters: run.parametersJson === null ? null : jsonStruct(run.parametersJson),
      config: run.configJson === null ? null : jsonStruct(run.configJson),
      dagHash: run.dagHash,
      nodeIds: run.nodeIds,
      forkStep: run.forkStep,
      forkRunIds: run.forkRunIds,
    },
  };
}

const jsonStruct = (text: string) => jsonToStruct(JSON.parse(text) as { [key: string]: Json });
const toStatus = (short: string) => (short ? `STATUS_${short}` : 'STATUS_UNSPECIFIED') as Status;

function toStatusEntry(row: StatusRow): StatusEntry {
  return { status: toStatus(row.status), time: microsToTimestamp(BigInt(row.micros)), reason: row.reason, attempt: row.attempt };
}

function toRunSummary(row: RunRow): RunSummary {
  return {
    workflowId: row.workflowId, runId: row.runId, workflowName: row.workflowName, status: toStatus(row.status),
    startTime: microsToTimestamp(BigInt(row.startMicros)), endTime: row.endMicros ? microsToTimestamp(BigInt(row.endMicros)) : null,
    tags: row.tags, parentRunId: row.parentRunId, logCount: String(row.logCount), errorCount: String(row.errorCount),
  };
}
