// Original file: ../../proto/runlog/v1/query.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * A run in brief.
 */
export interface RunSummary {
  /**
   * Workflow id.
   */
  'workflowId'?: (string);
  /**
   * Run id.
   */
  'runId'?: (string);
  /**
   * Workflow name.
   */
  'workflowName'?: (string);
  /**
   * Latest status.
   */
  'status'?: (_runlog_v1_Status);
  /**
   * Start time (RunStarted time).
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Time of the final status, if the run ended.
   */
  'endTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Tags.
   */
  'tags'?: ({[key: string]: string});
  /**
   * Parent run when this is a fork.
   */
  'parentRunId'?: (string);
  /**
   * Number of log records.
   */
  'logCount'?: (number | string | Long);
  /**
   * Number of log records at ERROR or FATAL.
   */
  'errorCount'?: (number | string | Long);
}

/**
 * A run in brief.
 */
export interface RunSummary__Output {
  /**
   * Workflow id.
   */
  'workflowId': (string);
  /**
   * Run id.
   */
  'runId': (string);
  /**
   * Workflow name.
   */
  'workflowName': (string);
  /**
   * Latest status.
   */
  'status': (_runlog_v1_Status__Output);
  /**
   * Start time (RunStarted time).
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Time of the final status, if the run ended.
   */
  'endTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Tags.
   */
  'tags': ({[key: string]: string});
  /**
   * Parent run when this is a fork.
   */
  'parentRunId': (string);
  /**
   * Number of log records.
   */
  'logCount': (number);
  /**
   * Number of log records at ERROR or FATAL.
   */
  'errorCount': (number);
}
