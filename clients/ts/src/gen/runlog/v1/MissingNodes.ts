// Original file: ../../proto/runlog/v1/state.proto


/**
 * Details of a failed resume validation (in the status details).
 */
export interface MissingNodes {
  /**
   * Every node recorded at or before the step that is missing from the definition.
   */
  'nodeIds'?: (string)[];
}

/**
 * Details of a failed resume validation (in the status details).
 */
export interface MissingNodes__Output {
  /**
   * Every node recorded at or before the step that is missing from the definition.
   */
  'nodeIds': (string)[];
}
