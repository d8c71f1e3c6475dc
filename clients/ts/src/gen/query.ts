import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from './runlog/v1/Event';
import type { EventBatch as _runlog_v1_EventBatch, EventBatch__Output as _runlog_v1_EventBatch__Output } from './runlog/v1/EventBatch';
import type { EventFilter as _runlog_v1_EventFilter, EventFilter__Output as _runlog_v1_EventFilter__Output } from './runlog/v1/EventFilter';
import type { GetRunRequest as _runlog_v1_GetRunRequest, GetRunRequest__Output as _runlog_v1_GetRunRequest__Output } from './runlog/v1/GetRunRequest';
import type { GetRunResponse as _runlog_v1_GetRunResponse, GetRunResponse__Output as _runlog_v1_GetRunResponse__Output } from './runlog/v1/GetRunResponse';
import type { ListRunsRequest as _runlog_v1_ListRunsRequest, ListRunsRequest__Output as _runlog_v1_ListRunsRequest__Output } from './runlog/v1/ListRunsRequest';
import type { ListRunsResponse as _runlog_v1_ListRunsResponse, ListRunsResponse__Output as _runlog_v1_ListRunsResponse__Output } from './runlog/v1/ListRunsResponse';
import type { ListWorkflowsRequest as _runlog_v1_ListWorkflowsRequest, ListWorkflowsRequest__Output as _runlog_v1_ListWorkflowsRequest__Output } from './runlog/v1/ListWorkflowsRequest';
import type { ListWorkflowsResponse as _runlog_v1_ListWorkflowsResponse, ListWorkflowsResponse__Output as _runlog_v1_ListWorkflowsResponse__Output } from './runlog/v1/ListWorkflowsResponse';
import type { LogRecord as _runlog_v1_LogRecord, LogRecord__Output as _runlog_v1_LogRecord__Output } from './runlog/v1/LogRecord';
import type { QueryLogsRequest as _runlog_v1_QueryLogsRequest, QueryLogsRequest__Output as _runlog_v1_QueryLogsRequest__Output } from './runlog/v1/QueryLogsRequest';
import type { QueryLogsResponse as _runlog_v1_QueryLogsResponse, QueryLogsResponse__Output as _runlog_v1_QueryLogsResponse__Output } from './runlog/v1/QueryLogsResponse';
import type { QueryServiceClient as _runlog_v1_QueryServiceClient, QueryServiceDefinition as _runlog_v1_QueryServiceDefinition } from './runlog/v1/QueryService';
import type { Run as _runlog_v1_Run, Run__Output as _runlog_v1_Run__Output } from './runlog/v1/Run';
import type { RunStarted as _runlog_v1_RunStarted, RunStarted__Output as _runlog_v1_RunStarted__Output } from './runlog/v1/RunStarted';
import type { RunStatusChange as _runlog_v1_RunStatusChange, RunStatusChange__Output as _runlog_v1_RunStatusChange__Output } from './runlog/v1/RunStatusChange';
import type { RunSummary as _runlog_v1_RunSummary, RunSummary__Output as _runlog_v1_RunSummary__Output } from './runlog/v1/RunSummary';
import type { StatusEntry as _runlog_v1_StatusEntry, StatusEntry__Output as _runlog_v1_StatusEntry__Output } from './runlog/v1/StatusEntry';
import type { StepSnapshot as _runlog_v1_StepSnapshot, StepSnapshot__Output as _runlog_v1_StepSnapshot__Output } from './runlog/v1/StepSnapshot';
import type { StoredEvent as _runlog_v1_StoredEvent, StoredEvent__Output as _runlog_v1_StoredEvent__Output } from './runlog/v1/StoredEvent';
import type { SubscribeRequest as _runlog_v1_SubscribeRequest, SubscribeRequest__Output as _runlog_v1_SubscribeRequest__Output } from './runlog/v1/SubscribeRequest';
import type { SubscribeResponse as _runlog_v1_SubscribeResponse, SubscribeResponse__Output as _runlog_v1_SubscribeResponse__Output } from './runlog/v1/SubscribeResponse';
import type { TaskStatusChange as _runlog_v1_TaskStatusChange, TaskStatusChange__Output as _runlog_v1_TaskStatusChange__Output } from './runlog/v1/TaskStatusChange';
import type { TaskSummary as _runlog_v1_TaskSummary, TaskSummary__Output as _runlog_v1_TaskSummary__Output } from './runlog/v1/TaskSummary';
import type { WorkflowSummary as _runlog_v1_WorkflowSummary, WorkflowSummary__Output as _runlog_v1_WorkflowSummary__Output } from './runlog/v1/WorkflowSummary';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
  runlog: {
    v1: {
      Event: MessageTypeDefinition<_runlog_v1_Event, _runlog_v1_Event__Output>
      EventBatch: MessageTypeDefinition<_runlog_v1_EventBatch, _runlog_v1_EventBatch__Output>
      EventFilter: MessageTypeDefinition<_runlog_v1_EventFilter, _runlog_v1_EventFilter__Output>
      EventKind: EnumTypeDefinition
      GetRunRequest: MessageTypeDefinition<_runlog_v1_GetRunRequest, _runlog_v1_GetRunRequest__Output>
      GetRunResponse: MessageTypeDefinition<_runlog_v1_GetRunResponse, _runlog_v1_GetRunResponse__Output>
      ListRunsRequest: MessageTypeDefinition<_runlog_v1_ListRunsRequest, _runlog_v1_ListRunsRequest__Output>
      ListRunsResponse: MessageTypeDefinition<_runlog_v1_ListRunsResponse, _runlog_v1_ListRunsResponse__Output>
      ListWorkflowsRequest: MessageTypeDefinition<_runlog_v1_ListWorkflowsRequest, _runlog_v1_ListWorkflowsRequest__Output>
      ListWorkflowsResponse: MessageTypeDefinition<_runlog_v1_ListWorkflowsResponse, _runlog_v1_ListWorkflowsResponse__Output>
      LogLevel: EnumTypeDefinition
      LogRecord: MessageTypeDefinition<_runlog_v1_LogRecord, _runlog_v1_LogRecord__Output>
      Order: EnumTypeDefinition
      QueryLogsRequest: MessageTypeDefinition<_runlog_v1_QueryLogsRequest, _runlog_v1_QueryLogsRequest__Output>
      QueryLogsResponse: MessageTypeDefinition<_runlog_v1_QueryLogsResponse, _runlog_v1_QueryLogsResponse__Output>
      /**
       * Reads what runlog stored: live subscriptions, log queries, runs and workflows.
       */
      QueryService: SubtypeConstructor<typeof grpc.Client, _runlog_v1_QueryServiceClient> & { service: _runlog_v1_QueryServiceDefinition }
      Run: MessageTypeDefinition<_runlog_v1_Run, _runlog_v1_Run__Output>
      RunStarted: MessageTypeDefinition<_runlog_v1_RunStarted, _runlog_v1_RunStarted__Output>
      RunStatusChange: MessageTypeDefinition<_runlog_v1_RunStatusChange, _runlog_v1_RunStatusChange__Output>
      RunSummary: MessageTypeDefinition<_runlog_v1_RunSummary, _runlog_v1_RunSummary__Output>
      Status: EnumTypeDefinition
      StatusEntry: MessageTypeDefinition<_runlog_v1_StatusEntry, _runlog_v1_StatusEntry__Output>
      StepSnapshot: MessageTypeDefinition<_runlog_v1_StepSnapshot, _runlog_v1_StepSnapshot__Output>
      StoredEvent: MessageTypeDefinition<_runlog_v1_StoredEvent, _runlog_v1_StoredEvent__Output>
      SubscribeRequest: MessageTypeDefinition<_runlog_v1_SubscribeRequest, _runlog_v1_SubscribeRequest__Output>
      SubscribeResponse: MessageTypeDefinition<_runlog_v1_SubscribeResponse, _runlog_v1_SubscribeResponse__Output>
      TaskStatusChange: MessageTypeDefinition<_runlog_v1_TaskStatusChange, _runlog_v1_TaskStatusChange__Output>
      TaskSummary: MessageTypeDefinition<_runlog_v1_TaskSummary, _runlog_v1_TaskSummary__Output>
      WorkflowSummary: MessageTypeDefinition<_runlog_v1_WorkflowSummary, _runlog_v1_WorkflowSummary__Output>
    }
  }
}

