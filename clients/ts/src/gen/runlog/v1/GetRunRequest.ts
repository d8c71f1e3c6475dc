// Original file: ../../proto/runlog/v1/query.proto


/**
 * Asks for one run.
 */
export interface GetRunRequest {
  /**
   * Workflow id.
   */
  'workflowId'?: (string);
  /**
   * Run id.
   */
  'runId'?: (string);
}

/**
 * Asks for one run.
 */
export interface GetRunRequest__Output {
  /**
   * Workflow id.
   */
  'workflowId': (string);
  /**
   * Run id.
   */
  'runId': (string);
}
