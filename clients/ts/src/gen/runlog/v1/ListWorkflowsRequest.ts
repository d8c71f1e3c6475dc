// Original file: ../../proto/runlog/v1/query.proto


/**
 * Lists workflows.
 */
export interface ListWorkflowsRequest {
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize'?: (number);
  /**
   * From a previous response.
   */
  'pageToken'?: (string);
}

/**
 * Lists workflows.
 */
export interface ListWorkflowsRequest__Output {
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize': (number);
  /**
   * From a previous response.
   */
  'pageToken': (string);
}
