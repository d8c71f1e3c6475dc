// Original file: ../../proto/runlog/v1/query.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * A workflow with runs.
 */
export interface WorkflowSummary {
  /**
   * The workflow id.
   */
  'workflowId'?: (string);
  /**
   * Name from its latest RunStarted.
   */
  'workflowName'?: (string);
  /**
   * Number of runs.
   */
  'runCount'?: (number | string | Long);
  /**
   * Start time of its latest run.
   */
  'lastRunTime'?: (_google_protobuf_Timestamp | null);
}

/**
 * A workflow with runs.
 */
export interface WorkflowSummary__Output {
  /**
   * The workflow id.
   */
  'workflowId': (string);
  /**
   * Name from its latest RunStarted.
   */
  'workflowName': (string);
  /**
   * Number of runs.
   */
  'runCount': (number);
  /**
   * Start time of its latest run.
   */
  'lastRunTime': (_google_protobuf_Timestamp__Output | null);
}
