// Original file: ../../proto/runlog/v1/state.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ForkRequest as _runlog_v1_ForkRequest, ForkRequest__Output as _runlog_v1_ForkRequest__Output } from '../../runlog/v1/ForkRequest';
import type { ForkResponse as _runlog_v1_ForkResponse, ForkResponse__Output as _runlog_v1_ForkResponse__Output } from '../../runlog/v1/ForkResponse';
import type { GetLineageRequest as _runlog_v1_GetLineageRequest, GetLineageRequest__Output as _runlog_v1_GetLineageRequest__Output } from '../../runlog/v1/GetLineageRequest';
import type { GetLineageResponse as _runlog_v1_GetLineageResponse, GetLineageResponse__Output as _runlog_v1_GetLineageResponse__Output } from '../../runlog/v1/GetLineageResponse';
import type { GetStateRequest as _runlog_v1_GetStateRequest, GetStateRequest__Output as _runlog_v1_GetStateRequest__Output } from '../../runlog/v1/GetStateRequest';
import type { GetStateResponse as _runlog_v1_GetStateResponse, GetStateResponse__Output as _runlog_v1_GetStateResponse__Output } from '../../runlog/v1/GetStateResponse';
import type { ListStepsRequest as _runlog_v1_ListStepsRequest, ListStepsRequest__Output as _runlog_v1_ListStepsRequest__Output } from '../../runlog/v1/ListStepsRequest';
import type { ListStepsResponse as _runlog_v1_ListStepsResponse, ListStepsResponse__Output as _runlog_v1_ListStepsResponse__Output } from '../../runlog/v1/ListStepsResponse';
import type { ResumeRequest as _runlog_v1_ResumeRequest, ResumeRequest__Output as _runlog_v1_ResumeRequest__Output } from '../../runlog/v1/ResumeRequest';
import type { ResumeResponse as _runlog_v1_ResumeResponse, ResumeResponse__Output as _runlog_v1_ResumeResponse__Output } from '../../runlog/v1/ResumeResponse';

/**
 * Step state snapshots and time travel: read a run's state at any step, resume from a
 * step, fork a new run at a step.
 */
export interface StateServiceClient extends grpc.Client {
  /**
   * Creates a new run that shares the parent's steps 0..from_step. Copies no history.
   */
  Fork(argument: _runlog_v1_ForkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  Fork(argument: _runlog_v1_ForkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  Fork(argument: _runlog_v1_ForkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  Fork(argument: _runlog_v1_ForkRequest, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Creates a new run that shares the parent's steps 0..from_step. Copies no history.
   */
  fork(argument: _runlog_v1_ForkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  fork(argument: _runlog_v1_ForkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  fork(argument: _runlog_v1_ForkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  fork(argument: _runlog_v1_ForkRequest, callback: grpc.requestCallback<_runlog_v1_ForkResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Ancestors of a run and the tree of its forks.
   */
  GetLineage(argument: _runlog_v1_GetLineageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  GetLineage(argument: _runlog_v1_GetLineageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  GetLineage(argument: _runlog_v1_GetLineageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  GetLineage(argument: _runlog_v1_GetLineageRequest, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Ancestors of a run and the tree of its forks.
   */
  getLineage(argument: _runlog_v1_GetLineageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  getLineage(argument: _runlog_v1_GetLineageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  getLineage(argument: _runlog_v1_GetLineageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  getLineage(argument: _runlog_v1_GetLineageRequest, callback: grpc.requestCallback<_runlog_v1_GetLineageResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The state after one step (default: the latest step of the current timeline).
   */
  GetState(argument: _runlog_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  GetState(argument: _runlog_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  GetState(argument: _runlog_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  GetState(argument: _runlog_v1_GetStateRequest, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The state after one step (default: the latest step of the current timeline).
   */
  getState(argument: _runlog_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  getState(argument: _runlog_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  getState(argument: _runlog_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  getState(argument: _runlog_v1_GetStateRequest, callback: grpc.requestCallback<_runlog_v1_GetStateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The steps of the run's current timeline, oldest first, paged.
   */
  ListSteps(argument: _runlog_v1_ListStepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  ListSteps(argument: _runlog_v1_ListStepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  ListSteps(argument: _runlog_v1_ListStepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  ListSteps(argument: _runlog_v1_ListStepsRequest, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The steps of the run's current timeline, oldest first, paged.
   */
  listSteps(argument: _runlog_v1_ListStepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  listSteps(argument: _runlog_v1_ListStepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  listSteps(argument: _runlog_v1_ListStepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  listSteps(argument: _runlog_v1_ListStepsRequest, callback: grpc.requestCallback<_runlog_v1_ListStepsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The state to continue from, validated against the current workflow definition.
   */
  Resume(argument: _runlog_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _runlog_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _runlog_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _runlog_v1_ResumeRequest, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The state to continue from, validated against the current workflow definition.
   */
  resume(argument: _runlog_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _runlog_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _runlog_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _runlog_v1_ResumeRequest, callback: grpc.requestCallback<_runlog_v1_ResumeResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Step state snapshots and time travel: read a run's state at any step, resume from a
 * step, fork a new run at a step.
 */
export interface StateServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Creates a new run that shares the parent's steps 0..from_step. Copies no history.
   */
  Fork: grpc.handleUnaryCall<_runlog_v1_ForkRequest__Output, _runlog_v1_ForkResponse>;
  
  /**
   * Ancestors of a run and the tree of its forks.
   */
  GetLineage: grpc.handleUnaryCall<_runlog_v1_GetLineageRequest__Output, _runlog_v1_GetLineageResponse>;
  
  /**
   * The state after one step (default: the latest step of the current timeline).
   */
  GetState: grpc.handleUnaryCall<_runlog_v1_GetStateRequest__Output, _runlog_v1_GetStateResponse>;
  
  /**
   * The steps of the run's current timeline, oldest first, paged.
   */
  ListSteps: grpc.handleUnaryCall<_runlog_v1_ListStepsRequest__Output, _runlog_v1_ListStepsResponse>;
  
  /**
   * The state to continue from, validated against the current workflow definition.
   */
  Resume: grpc.handleUnaryCall<_runlog_v1_ResumeRequest__Output, _runlog_v1_ResumeResponse>;
  
}

export interface StateServiceDefinition extends grpc.ServiceDefinition {
  Fork: MethodDefinition<_runlog_v1_ForkRequest, _runlog_v1_ForkResponse, _runlog_v1_ForkRequest__Output, _runlog_v1_ForkResponse__Output>
  GetLineage: MethodDefinition<_runlog_v1_GetLineageRequest, _runlog_v1_GetLineageResponse, _runlog_v1_GetLineageRequest__Output, _runlog_v1_GetLineageResponse__Output>
  GetState: MethodDefinition<_runlog_v1_GetStateRequest, _runlog_v1_GetStateResponse, _runlog_v1_GetStateRequest__Output, _runlog_v1_GetStateResponse__Output>
  ListSteps: MethodDefinition<_runlog_v1_ListStepsRequest, _runlog_v1_ListStepsResponse, _runlog_v1_ListStepsRequest__Output, _runlog_v1_ListStepsResponse__Output>
  Resume: MethodDefinition<_runlog_v1_ResumeRequest, _runlog_v1_ResumeResponse, _runlog_v1_ResumeRequest__Output, _runlog_v1_ResumeResponse__Output>
}
