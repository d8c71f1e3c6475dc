// Original file: ../../proto/runlog/v1/state.proto


/**
 * Names one run.
 */
export interface RunRef {
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
 * Names one run.
 */
export interface RunRef__Output {
  /**
   * Workflow id.
   */
  'workflowId': (string);
  /**
   * Run id.
   */
  'runId': (string);
}
