// Original file: ../../proto/runlog/v1/query.proto

import type { WorkflowSummary as _runlog_v1_WorkflowSummary, WorkflowSummary__Output as _runlog_v1_WorkflowSummary__Output } from '../../runlog/v1/WorkflowSummary';

/**
 * The answer to ListWorkflowsRequest.
 */
export interface ListWorkflowsResponse {
  /**
   * Workflows ordered by id.
   */
  'workflows'?: (_runlog_v1_WorkflowSummary)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken'?: (string);
}

/**
 * The answer to ListWorkflowsRequest.
 */
export interface ListWorkflowsResponse__Output {
  /**
   * Workflows ordered by id.
   */
  'workflows': (_runlog_v1_WorkflowSummary__Output)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken': (string);
}
