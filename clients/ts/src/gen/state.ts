import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from './runlog/v1/Event';
import type { EventBatch as _runlog_v1_EventBatch, EventBatch__Output as _runlog_v1_EventBatch__Output } from './runlog/v1/EventBatch';
import type { ForkRequest as _runlog_v1_ForkRequest, ForkRequest__Output as _runlog_v1_ForkRequest__Output } from './runlog/v1/ForkRequest';
import type { ForkResponse as _runlog_v1_ForkResponse, ForkResponse__Output as _runlog_v1_ForkResponse__Output } from './runlog/v1/ForkResponse';
import type { GetLineageRequest as _runlog_v1_GetLineageRequest, GetLineageRequest__Output as _runlog_v1_GetLineageRequest__Output } from './runlog/v1/GetLineageRequest';
import type { GetLineageResponse as _runlog_v1_GetLineageResponse, GetLineageResponse__Output as _runlog_v1_GetLineageResponse__Output } from './runlog/v1/GetLineageResponse';
import type { GetStateRequest as _runlog_v1_GetStateRequest, GetStateRequest__Output as _runlog_v1_GetStateRequest__Output } from './runlog/v1/GetStateRequest';
import type { GetStateResponse as _runlog_v1_GetStateResponse, GetStateResponse__Output as _runlog_v1_GetStateResponse__Output } from './runlog/v1/GetStateResponse';
import type { LineageNode as _runlog_v1_LineageNode, LineageNode__Output as _runlog_v1_LineageNode__Output } from './runlog/v1/LineageNode';
import type { ListStepsRequest as _runlog_v1_ListStepsRequest, ListStepsRequest__Output as _runlog_v1_ListStepsRequest__Output } from './runlog/v1/ListStepsRequest';
import type { ListStepsResponse as _runlog_v1_ListStepsResponse, ListStepsResponse__Output as _runlog_v1_ListStepsResponse__Output } from './runlog/v1/ListStepsResponse';
import type { LogRecord as _runlog_v1_LogRecord, LogRecord__Output as _runlog_v1_LogRecord__Output } from './runlog/v1/LogRecord';
import type { MissingNodes as _runlog_v1_MissingNodes, MissingNodes__Output as _runlog_v1_MissingNodes__Output } from './runlog/v1/MissingNodes';
import type { ResumeRequest as _runlog_v1_ResumeRequest, ResumeRequest__Output as _runlog_v1_ResumeRequest__Output } from './runlog/v1/ResumeRequest';
import type { ResumeResponse as _runlog_v1_ResumeResponse, ResumeResponse__Output as _runlog_v1_ResumeResponse__Output } from './runlog/v1/ResumeResponse';
import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from './runlog/v1/RunRef';
import type { RunStarted as _runlog_v1_RunStarted, RunStarted__Output as _runlog_v1_RunStarted__Output } from './runlog/v1/RunStarted';
import type { RunStatusChange as _runlog_v1_RunStatusChange, RunStatusChange__Output as _runlog_v1_RunStatusChange__Output } from './runlog/v1/RunStatusChange';
import type { StateServiceClient as _runlog_v1_StateServiceClient, StateServiceDefinition as _runlog_v1_StateServiceDefinition } from './runlog/v1/StateService';
import type { StepSnapshot as _runlog_v1_StepSnapshot, StepSnapshot__Output as _runlog_v1_StepSnapshot__Output } from './runlog/v1/StepSnapshot';
import type { StepState as _runlog_v1_StepState, StepState__Output as _runlog_v1_StepState__Output } from './runlog/v1/StepState';
import type { StoredEvent as _runlog_v1_StoredEvent, StoredEvent__Output as _runlog_v1_StoredEvent__Output } from './runlog/v1/StoredEvent';
import type { TaskStatusChange as _runlog_v1_TaskStatusChange, TaskStatusChange__Output as _runlog_v1_TaskStatusChange__Output } from './runlog/v1/TaskStatusChange';

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
      EventKind: EnumTypeDefinition
      ForkRequest: MessageTypeDefinition<_runlog_v1_ForkRequest, _runlog_v1_ForkRequest__Output>
      ForkResponse: MessageTypeDefinition<_runlog_v1_ForkResponse, _runlog_v1_ForkResponse__Output>
      GetLineageRequest: MessageTypeDefinition<_runlog_v1_GetLineageRequest, _runlog_v1_GetLineageRequest__Output>
      GetLineageResponse: MessageTypeDefinition<_runlog_v1_GetLineageResponse, _runlog_v1_GetLineageResponse__Output>
      GetStateRequest: MessageTypeDefinition<_runlog_v1_GetStateRequest, _runlog_v1_GetStateRequest__Output>
      GetStateResponse: MessageTypeDefinition<_runlog_v1_GetStateResponse, _runlog_v1_GetStateResponse__Output>
      LineageNode: MessageTypeDefinition<_runlog_v1_LineageNode, _runlog_v1_LineageNode__Output>
      ListStepsRequest: MessageTypeDefinition<_runlog_v1_ListStepsRequest, _runlog_v1_ListStepsRequest__Output>
      ListStepsResponse: MessageTypeDefinition<_runlog_v1_ListStepsResponse, _runlog_v1_ListStepsResponse__Output>
      LogLevel: EnumTypeDefinition
      LogRecord: MessageTypeDefinition<_runlog_v1_LogRecord, _runlog_v1_LogRecord__Output>
      MissingNodes: MessageTypeDefinition<_runlog_v1_MissingNodes, _runlog_v1_MissingNodes__Output>
      ResumeRequest: MessageTypeDefinition<_runlog_v1_ResumeRequest, _runlog_v1_ResumeRequest__Output>
      ResumeResponse: MessageTypeDefinition<_runlog_v1_ResumeResponse, _runlog_v1_ResumeResponse__Output>
      RunRef: MessageTypeDefinition<_runlog_v1_RunRef, _runlog_v1_RunRef__Output>
      RunStarted: MessageTypeDefinition<_runlog_v1_RunStarted, _runlog_v1_RunStarted__Output>
      RunStatusChange: MessageTypeDefinition<_runlog_v1_RunStatusChange, _runlog_v1_RunStatusChange__Output>
      /**
       * Step state snapshots and time travel: read a run's state at any step, resume from a
       * step, fork a new run at a step.
       */
      StateService: SubtypeConstructor<typeof grpc.Client, _runlog_v1_StateServiceClient> & { service: _runlog_v1_StateServiceDefinition }
      Status: EnumTypeDefinition
      StepSnapshot: MessageTypeDefinition<_runlog_v1_StepSnapshot, _runlog_v1_StepSnapshot__Output>
      StepState: MessageTypeDefinition<_runlog_v1_StepState, _runlog_v1_StepState__Output>
      StoredEvent: MessageTypeDefinition<_runlog_v1_StoredEvent, _runlog_v1_StoredEvent__Output>
      TaskStatusChange: MessageTypeDefinition<_runlog_v1_TaskStatusChange, _runlog_v1_TaskStatusChange__Output>
    }
  }
}

