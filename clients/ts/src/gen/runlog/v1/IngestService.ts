// Original file: ../../proto/runlog/v1/ingest.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AppendRequest as _runlog_v1_AppendRequest, AppendRequest__Output as _runlog_v1_AppendRequest__Output } from '../../runlog/v1/AppendRequest';
import type { AppendResponse as _runlog_v1_AppendResponse, AppendResponse__Output as _runlog_v1_AppendResponse__Output } from '../../runlog/v1/AppendResponse';
import type { AppendStreamRequest as _runlog_v1_AppendStreamRequest, AppendStreamRequest__Output as _runlog_v1_AppendStreamRequest__Output } from '../../runlog/v1/AppendStreamRequest';
import type { AppendStreamResponse as _runlog_v1_AppendStreamResponse, AppendStreamResponse__Output as _runlog_v1_AppendStreamResponse__Output } from '../../runlog/v1/AppendStreamResponse';

/**
 * Receives events from agents and stores them durably.
 */
export interface IngestServiceClient extends grpc.Client {
  /**
   * Appends events. Answers once every event is durable in JetStream. Validation is all
   * or nothing: INVALID_ARGUMENT names the first bad event's index and field, and nothing
   * of the request is stored. Retrying with the same request_id never stores twice.
   */
  Append(argument: _runlog_v1_AppendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _runlog_v1_AppendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _runlog_v1_AppendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _runlog_v1_AppendRequest, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Appends events. Answers once every event is durable in JetStream. Validation is all
   * or nothing: INVALID_ARGUMENT names the first bad event's index and field, and nothing
   * of the request is stored. Retrying with the same request_id never stores twice.
   */
  append(argument: _runlog_v1_AppendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _runlog_v1_AppendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _runlog_v1_AppendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _runlog_v1_AppendRequest, callback: grpc.requestCallback<_runlog_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Appends a stream of requests; one response per request, in order.
   */
  AppendStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamResponse__Output>;
  AppendStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamResponse__Output>;
  /**
   * Appends a stream of requests; one response per request, in order.
   */
  appendStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamResponse__Output>;
  appendStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamResponse__Output>;
  
}

/**
 * Receives events from agents and stores them durably.
 */
export interface IngestServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Appends events. Answers once every event is durable in JetStream. Validation is all
   * or nothing: INVALID_ARGUMENT names the first bad event's index and field, and nothing
   * of the request is stored. Retrying with the same request_id never stores twice.
   */
  Append: grpc.handleUnaryCall<_runlog_v1_AppendRequest__Output, _runlog_v1_AppendResponse>;
  
  /**
   * Appends a stream of requests; one response per request, in order.
   */
  AppendStream: grpc.handleBidiStreamingCall<_runlog_v1_AppendStreamRequest__Output, _runlog_v1_AppendStreamResponse>;
  
}

export interface IngestServiceDefinition extends grpc.ServiceDefinition {
  Append: MethodDefinition<_runlog_v1_AppendRequest, _runlog_v1_AppendResponse, _runlog_v1_AppendRequest__Output, _runlog_v1_AppendResponse__Output>
  AppendStream: MethodDefinition<_runlog_v1_AppendStreamRequest, _runlog_v1_AppendStreamResponse, _runlog_v1_AppendStreamRequest__Output, _runlog_v1_AppendStreamResponse__Output>
}
