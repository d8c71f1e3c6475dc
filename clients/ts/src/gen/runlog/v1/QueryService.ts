// Original file: ../../proto/runlog/v1/query.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetRunRequest as _runlog_v1_GetRunRequest, GetRunRequest__Output as _runlog_v1_GetRunRequest__Output } from '../../runlog/v1/GetRunRequest';
import type { GetRunResponse as _runlog_v1_GetRunResponse, GetRunResponse__Output as _runlog_v1_GetRunResponse__Output } from '../../runlog/v1/GetRunResponse';
import type { ListRunsRequest as _runlog_v1_ListRunsRequest, ListRunsRequest__Output as _runlog_v1_ListRunsRequest__Output } from '../../runlog/v1/ListRunsRequest';
import type { ListRunsResponse as _runlog_v1_ListRunsResponse, ListRunsResponse__Output as _runlog_v1_ListRunsResponse__Output } from '../../runlog/v1/ListRunsResponse';
import type { ListWorkflowsRequest as _runlog_v1_ListWorkflowsRequest, ListWorkflowsRequest__Output as _runlog_v1_ListWorkflowsRequest__Output } from '../../runlog/v1/ListWorkflowsRequest';
import type { ListWorkflowsResponse as _runlog_v1_ListWorkflowsResponse, ListWorkflowsResponse__Output as _runlog_v1_ListWorkflowsResponse__Output } from '../../runlog/v1/ListWorkflowsResponse';
import type { QueryLogsRequest as _runlog_v1_QueryLogsRequest, QueryLogsRequest__Output as _runlog_v1_QueryLogsRequest__Output } from '../../runlog/v1/QueryLogsRequest';
import type { QueryLogsResponse as _runlog_v1_QueryLogsResponse, QueryLogsResponse__Output as _runlog_v1_QueryLogsResponse__Output } from '../../runlog/v1/QueryLogsResponse';
import type { SubscribeRequest as _runlog_v1_SubscribeRequest, SubscribeRequest__Output as _runlog_v1_SubscribeRequest__Output } from '../../runlog/v1/SubscribeRequest';
import type { SubscribeResponse as _runlog_v1_SubscribeResponse, SubscribeResponse__Output as _runlog_v1_SubscribeResponse__Output } from '../../runlog/v1/SubscribeResponse';

/**
 * Reads what runlog stored: live subscriptions, log queries, runs and workflows.
 */
export interface QueryServiceClient extends grpc.Client {
  /**
   * One run in full: summary, status timeline, tasks, parameters, config, lineage.
   */
  GetRun(argument: _runlog_v1_GetRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _runlog_v1_GetRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _runlog_v1_GetRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _runlog_v1_GetRunRequest, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  /**
   * One run in full: summary, status timeline, tasks, parameters, config, lineage.
   */
  getRun(argument: _runlog_v1_GetRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  getRun(argument: _runlog_v1_GetRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  getRun(argument: _runlog_v1_GetRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  getRun(argument: _runlog_v1_GetRunRequest, callback: grpc.requestCallback<_runlog_v1_GetRunResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists runs, newest first.
   */
  ListRuns(argument: _runlog_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _runlog_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _runlog_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _runlog_v1_ListRunsRequest, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists runs, newest first.
   */
  listRuns(argument: _runlog_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _runlog_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _runlog_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _runlog_v1_ListRunsRequest, callback: grpc.requestCallback<_runlog_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists the workflows that have runs.
   */
  ListWorkflows(argument: _runlog_v1_ListWorkflowsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkflows(argument: _runlog_v1_ListWorkflowsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkflows(argument: _runlog_v1_ListWorkflowsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkflows(argument: _runlog_v1_ListWorkflowsRequest, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists the workflows that have runs.
   */
  listWorkflows(argument: _runlog_v1_ListWorkflowsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  listWorkflows(argument: _runlog_v1_ListWorkflowsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  listWorkflows(argument: _runlog_v1_ListWorkflowsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  listWorkflows(argument: _runlog_v1_ListWorkflowsRequest, callback: grpc.requestCallback<_runlog_v1_ListWorkflowsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Pages through stored log records (AIP-158 paging).
   */
  QueryLogs(argument: _runlog_v1_QueryLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _runlog_v1_QueryLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _runlog_v1_QueryLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _runlog_v1_QueryLogsRequest, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Pages through stored log records (AIP-158 paging).
   */
  queryLogs(argument: _runlog_v1_QueryLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _runlog_v1_QueryLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _runlog_v1_QueryLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _runlog_v1_QueryLogsRequest, callback: grpc.requestCallback<_runlog_v1_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the matching events: stored history first, then live events, with no gap and
   * no duplicate at the handoff. Each event carries the cursor that resumes right after it.
   * A client that falls too far behind gets RESOURCE_EXHAUSTED; resume with its last cursor.
   */
  Subscribe(argument: _runlog_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_runlog_v1_SubscribeResponse__Output>;
  Subscribe(argument: _runlog_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_runlog_v1_SubscribeResponse__Output>;
  /**
   * Streams the matching events: stored history first, then live events, with no gap and
   * no duplicate at the handoff. Each event carries the cursor that resumes right after it.
   * A client that falls too far behind gets RESOURCE_EXHAUSTED; resume with its last cursor.
   */
  subscribe(argument: _runlog_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_runlog_v1_SubscribeResponse__Output>;
  subscribe(argument: _runlog_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_runlog_v1_SubscribeResponse__Output>;
  
}

/**
 * Reads what runlog stored: live subscriptions, log queries, runs and workflows.
 */
export interface QueryServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One run in full: summary, status timeline, tasks, parameters, config, lineage.
   */
  GetRun: grpc.handleUnaryCall<_runlog_v1_GetRunRequest__Output, _runlog_v1_GetRunResponse>;
  
  /**
   * Lists runs, newest first.
   */
  ListRuns: grpc.handleUnaryCall<_runlog_v1_ListRunsRequest__Output, _runlog_v1_ListRunsResponse>;
  
  /**
   * Lists the workflows that have runs.
   */
  ListWorkflows: grpc.handleUnaryCall<_runlog_v1_ListWorkflowsRequest__Output, _runlog_v1_ListWorkflowsResponse>;
  
  /**
   * Pages through stored log records (AIP-158 paging).
   */
  QueryLogs: grpc.handleUnaryCall<_runlog_v1_QueryLogsRequest__Output, _runlog_v1_QueryLogsResponse>;
  
  /**
   * Streams the matching events: stored history first, then live events, with no gap and
   * no duplicate at the handoff. Each event carries the cursor that resumes right after it.
   * A client that falls too far behind gets RESOURCE_EXHAUSTED; resume with its last cursor.
   */
  Subscribe: grpc.handleServerStreamingCall<_runlog_v1_SubscribeRequest__Output, _runlog_v1_SubscribeResponse>;
  
}

export interface QueryServiceDefinition extends grpc.ServiceDefinition {
  GetRun: MethodDefinition<_runlog_v1_GetRunRequest, _runlog_v1_GetRunResponse, _runlog_v1_GetRunRequest__Output, _runlog_v1_GetRunResponse__Output>
  ListRuns: MethodDefinition<_runlog_v1_ListRunsRequest, _runlog_v1_ListRunsResponse, _runlog_v1_ListRunsRequest__Output, _runlog_v1_ListRunsResponse__Output>
  ListWorkflows: MethodDefinition<_runlog_v1_ListWorkflowsRequest, _runlog_v1_ListWorkflowsResponse, _runlog_v1_ListWorkflowsRequest__Output, _runlog_v1_ListWorkflowsResponse__Output>
  QueryLogs: MethodDefinition<_runlog_v1_QueryLogsRequest, _runlog_v1_QueryLogsResponse, _runlog_v1_QueryLogsRequest__Output, _runlog_v1_QueryLogsResponse__Output>
  Subscribe: MethodDefinition<_runlog_v1_SubscribeRequest, _runlog_v1_SubscribeResponse, _runlog_v1_SubscribeRequest__Output, _runlog_v1_SubscribeResponse__Output>
}
