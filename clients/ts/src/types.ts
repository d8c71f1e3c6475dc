// The SDK's public request and answer types: the generated contract types in their plain shape (Date, JSON objects).
import type { Plain, PlainInput } from './convert.js';
import type { AppendRequest as AppendRequestWire } from './gen/runlog/v1/AppendRequest.js';
import type { AppendResponse__Output } from './gen/runlog/v1/AppendResponse.js';
import type { Event as EventWire, Event__Output } from './gen/runlog/v1/Event.js';
import type { EventFilter as EventFilterWire } from './gen/runlog/v1/EventFilter.js';
import type { ForkRequest as ForkRequestWire } from './gen/runlog/v1/ForkRequest.js';
import type { ForkResponse__Output } from './gen/runlog/v1/ForkResponse.js';
import type { GetLineageResponse__Output } from './gen/runlog/v1/GetLineageResponse.js';
import type { GetStateRequest as GetStateRequestWire } from './gen/runlog/v1/GetStateRequest.js';
import type { LineageNode__Output } from './gen/runlog/v1/LineageNode.js';
import type { ListRunsRequest as ListRunsRequestWire } from './gen/runlog/v1/ListRunsRequest.js';
import type { ListRunsResponse__Output } from './gen/runlog/v1/ListRunsResponse.js';
import type { ListStepsRequest as ListStepsRequestWire } from './gen/runlog/v1/ListStepsRequest.js';
import type { ListStepsResponse__Output } from './gen/runlog/v1/ListStepsResponse.js';
import type { ListWorkflowsRequest as ListWorkflowsRequestWire } from './gen/runlog/v1/ListWorkflowsRequest.js';
import type { ListWorkflowsResponse__Output } from './gen/runlog/v1/ListWorkflowsResponse.js';
import type { LogLevel } from './gen/runlog/v1/LogLevel.js';
import type { QueryLogsRequest as QueryLogsRequestWire } from './gen/runlog/v1/QueryLogsRequest.js';
import type { QueryLogsResponse__Output } from './gen/runlog/v1/QueryLogsResponse.js';
import type { ResumeRequest as ResumeRequestWire } from './gen/runlog/v1/ResumeRequest.js';
import type { ResumeResponse__Output } from './gen/runlog/v1/ResumeResponse.js';
import type { Run__Output } from './gen/runlog/v1/Run.js';
import type { RunRef as RunRefWire } from './gen/runlog/v1/RunRef.js';
import type { RunSummary__Output } from './gen/runlog/v1/RunSummary.js';
import type { Status } from './gen/runlog/v1/Status.js';
import type { StepState__Output } from './gen/runlog/v1/StepState.js';
import type { StoredEvent__Output } from './gen/runlog/v1/StoredEvent.js';
import type { SubscribeRequest as SubscribeRequestWire } from './gen/runlog/v1/SubscribeRequest.js';
import type { WorkflowSummary__Output } from './gen/runlog/v1/WorkflowSummary.js';
import type { EventKind } from './gen/runlog/v1/EventKind.js';

export type { Json, JsonObject, Plain, PlainInput } from './convert.js';

/** Enum values as the contract names them (`STATUS_RUNNING`, `LOG_LEVEL_INFO`). */
export type StatusName = Exclude<Status, number>;
export type LogLevelName = Exclude<LogLevel, number>;
export type EventKindName = Exclude<EventKind, number>;

export type Event = PlainInput<EventWire>;
export type AppendRequest = PlainInput<AppendRequestWire>;
export type AppendResponse = Plain<AppendResponse__Output>;
export type EventFilter = PlainInput<EventFilterWire>;
export type SubscribeRequest = PlainInput<SubscribeRequestWire>;
export type QueryLogsRequest = PlainInput<QueryLogsRequestWire>;
export type ListWorkflowsRequest = PlainInput<ListWorkflowsRequestWire>;
export type ListRunsRequest = PlainInput<ListRunsRequestWire>;
export type RunRef = PlainInput<RunRefWire>;
export type GetStateRequest = PlainInput<GetStateRequestWire>;
export type ListStepsRequest = PlainInput<ListStepsRequestWire>;
export type ResumeRequest = PlainInput<ResumeRequestWire>;
export type ForkRequest = PlainInput<ForkRequestWire>;

export type StoredEvent = Plain<StoredEvent__Output>;
export type StoredEventBody = Plain<Event__Output>;
export type QueryLogsResponse = Plain<QueryLogsResponse__Output>;
export type ListWorkflowsResponse = Plain<ListWorkflowsResponse__Output>;
export type WorkflowSummary = Plain<WorkflowSummary__Output>;
export type ListRunsResponse = Plain<ListRunsResponse__Output>;
export type RunSummary = Plain<RunSummary__Output>;
export type Run = Plain<Run__Output>;
export type StepState = Plain<StepState__Output>;
export type ListStepsResponse = Plain<ListStepsResponse__Output>;
export type ResumeResponse = Plain<ResumeResponse__Output>;
export type ForkResponse = Plain<ForkResponse__Output>;
export type GetLineageResponse = Plain<GetLineageResponse__Output>;
export type LineageNode = Plain<LineageNode__Output>;
