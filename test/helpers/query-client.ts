// A gRPC QueryService client for tests: promise-based unary calls, the status of a failed call, and whole-listing pagers.
import * as grpc from '@grpc/grpc-js';
import { loadContract } from '../../services/common/proto.js';
import type { QueryServiceClient } from '../../services/common/gen/runlog/v1/QueryService.js';
import type { QueryLogsRequest } from '../../services/common/gen/runlog/v1/QueryLogsRequest.js';
import type { QueryLogsResponse__Output } from '../../services/common/gen/runlog/v1/QueryLogsResponse.js';
import type { ListRunsRequest } from '../../services/common/gen/runlog/v1/ListRunsRequest.js';
import type { ListRunsResponse__Output } from '../../services/common/gen/runlog/v1/ListRunsResponse.js';
import type { ListWorkflowsRequest } from '../../services/common/gen/runlog/v1/ListWorkflowsRequest.js';
import type { ListWorkflowsResponse__Output } from '../../services/common/gen/runlog/v1/ListWorkflowsResponse.js';
import type { GetRunRequest } from '../../services/common/gen/runlog/v1/GetRunRequest.js';
import type { GetRunResponse__Output } from '../../services/common/gen/runlog/v1/GetRunResponse.js';
import type { StoredEvent__Output } from '../../services/common/gen/runlog/v1/StoredEvent.js';
import type { RunSummary__Output } from '../../services/common/gen/runlog/v1/RunSummary.js';
import type { WorkflowSummary__Output } from '../../services/common/gen/runlog/v1/WorkflowSummary.js';
import { isServiceError } from './ingest-client.js';

export type { QueryServiceClient, StoredEvent__Output, RunSummary__Output, WorkflowSummary__Output };

export function queryClient(address: string): QueryServiceClient {
  const { proto } = loadContract();
  return new proto.runlog.v1.QueryService(address, grpc.credentials.createInsecure(), {
    // A page of 1,000 log records of ~100 bytes with their cursors is far below this; step states are not.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
}

type UnaryMethod<Req, Res> = (request: Req, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

// Lambdas, not bind: bind would pick the last overload of each generated method (the one without options).
export const queryLogs = (client: QueryServiceClient, request: QueryLogsRequest, timeoutMs = 30_000) =>
  unary<QueryLogsRequest, QueryLogsResponse__Output>((r, o, cb) => client.QueryLogs(r, o, cb), request, timeoutMs);
export const listRuns = (client: QueryServiceClient, request: ListRunsRequest, timeoutMs = 30_000) =>
  unary<ListRunsRequest, ListRunsResponse__Output>((r, o, cb) => client.ListRuns(r, o, cb), request, timeoutMs);
export const listWorkflows = (client: QueryServiceClient, request: ListWorkflowsRequest, timeoutMs = 30_000) =>
  unary<ListWorkflowsRequest, ListWorkflowsResponse__Output>((r, o, cb) => client.ListWorkflows(r, o, cb), request, timeoutMs);
export const getRun = (client: QueryServiceClient, request: GetRunRequest, timeoutMs = 30_000) =>
  unary<GetRunRequest, GetRunResponse__Output>((r, o, cb) => client.GetRun(r, o, cb), request, timeoutMs);

/** The gRPC status of a call that must fail; fails the test when it answered. */
export async function rpcError(call: Promise<unknown>): Promise<grpc.ServiceError> {
  let response: unknown;
  try {
    response = await call;
  } catch (error) {
    if (isServiceError(error)) return error;
    throw error;
  }
  throw new Error(`expected the call to fail, it answered ${JSON.stringify(response).slice(0, 500)}`);
}

/** Follows next_page_token to the end; `between` runs after each page (e.g. to append meanwhile). */
export async function collectPages<T>(
  fetchPage: (pageToken: string) => Promise<{ items: T[]; next: string }>,
  between: (pageIndex: number) => Promise<void> = async () => undefined,
): Promise<{ items: T[]; pageSizes: number[] }> {
  const items: T[] = [];
  const pageSizes: number[] = [];
  let pageToken = '';
  do {
    const page = await fetchPage(pageToken);
    items.push(...page.items);
    pageSizes.push(page.items.length);
    pageToken = page.next;
    await between(pageSizes.length - 1);
  } while (pageToken);
  return { items, pageSizes };
}

/** Every page of a QueryLogs request, concatenated. */
export function allLogs(client: QueryServiceClient, request: Omit<QueryLogsRequest, 'pageToken'>, between?: (pageIndex: number) => Promise<void>) {
  return collectPages(async (pageToken) => {
    const page = await queryLogs(client, { ...request, pageToken });
    return { items: page.records, next: page.nextPageToken };
  }, between);
}

/** Every page of a ListRuns request, concatenated. */
export async function allRuns(client: QueryServiceClient, request: Omit<ListRunsRequest, 'pageToken'>): Promise<RunSummary__Output[]> {
  const { items } = await collectPages(async (pageToken) => {
    const page = await listRuns(client, { ...request, pageToken });
    return { items: page.runs, next: page.nextPageToken };
  });
  return items;
}

/** Every page of ListWorkflows, concatenated. */
export async function allWorkflows(client: QueryServiceClient, pageSize: number): Promise<WorkflowSummary__Output[]> {
  const { items } = await collectPages(async (pageToken) => {
    const page = await listWorkflows(client, { pageSize, pageToken });
    return { items: page.workflows, next: page.nextPageToken };
  });
  return items;
}
