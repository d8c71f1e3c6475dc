import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { AppendRequest as _runlog_v1_AppendRequest, AppendRequest__Output as _runlog_v1_AppendRequest__Output } from './runlog/v1/AppendRequest';
import type { AppendResponse as _runlog_v1_AppendResponse, AppendResponse__Output as _runlog_v1_AppendResponse__Output } from './runlog/v1/AppendResponse';
import type { AppendStreamRequest as _runlog_v1_AppendStreamRequest, AppendStreamRequest__Output as _runlog_v1_AppendStreamRequest__Output } from './runlog/v1/AppendStreamRequest';
import type { AppendStreamResponse as _runlog_v1_AppendStreamResponse, AppendStreamResponse__Output as _runlog_v1_AppendStreamResponse__Output } from './runlog/v1/AppendStreamResponse';
import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from './runlog/v1/Event';
import type { EventBatch as _runlog_v1_EventBatch, EventBatch__Output as _runlog_v1_EventBatch__Output } from './runlog/v1/EventBatch';
import type { IngestServiceClient as _runlog_v1_IngestServiceClient, IngestServiceDefinition as _runlog_v1_IngestServiceDefinition } from './runlog/v1/IngestService';
import type { LogRecord as _runlog_v1_LogRecord, LogRecord__Output as _runlog_v1_LogRecord__Output } from './runlog/v1/LogRecord';
import type { RunStarted as _runlog_v1_RunStarted, RunStarted__Output as _runlog_v1_RunStarted__Output } from './runlog/v1/RunStarted';
import type { RunStatusChange as _runlog_v1_RunStatusChange, RunStatusChange__Output as _runlog_v1_RunStatusChange__Output } from './runlog/v1/RunStatusChange';
import type { StepSnapshot as _runlog_v1_StepSnapshot, StepSnapshot__Output as _runlog_v1_StepSnapshot__Output } from './runlog/v1/StepSnapshot';
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
      AppendRequest: MessageTypeDefinition<_runlog_v1_AppendRequest, _runlog_v1_AppendRequest__Output>
      AppendResponse: MessageTypeDefinition<_runlog_v1_AppendResponse, _runlog_v1_AppendResponse__Output>
      AppendStreamRequest: MessageTypeDefinition<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamRequest__Output>
      AppendStreamResponse: MessageTypeDefinition<_runlog_v1_AppendStreamResponse, _runlog_v1_AppendStreamResponse__Output>
      Event: MessageTypeDefinition<_runlog_v1_Event, _runlog_v1_Event__Output>
      EventBatch: MessageTypeDefinition<_runlog_v1_EventBatch, _runlog_v1_EventBatch__Output>
      EventKind: EnumTypeDefinition
      /**
       * Receives events from agents and stores them durably.
       */
      IngestService: SubtypeConstructor<typeof grpc.Client, _runlog_v1_IngestServiceClient> & { service: _runlog_v1_IngestServiceDefinition }
      LogLevel: EnumTypeDefinition
      LogRecord: MessageTypeDefinition<_runlog_v1_LogRecord, _runlog_v1_LogRecord__Output>
      RunStarted: MessageTypeDefinition<_runlog_v1_RunStarted, _runlog_v1_RunStarted__Output>
      RunStatusChange: MessageTypeDefinition<_runlog_v1_RunStatusChange, _runlog_v1_RunStatusChange__Output>
      Status: EnumTypeDefinition
      StepSnapshot: MessageTypeDefinition<_runlog_v1_StepSnapshot, _runlog_v1_StepSnapshot__Output>
      StoredEvent: MessageTypeDefinition<_runlog_v1_StoredEvent, _runlog_v1_StoredEvent__Output>
      TaskStatusChange: MessageTypeDefinition<_runlog_v1_TaskStatusChange, _runlog_v1_TaskStatusChange__Output>
    }
  }
}

