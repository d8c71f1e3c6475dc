// Original file: ../../proto/runlog/v1/state.proto

import type { StepState as _runlog_v1_StepState, StepState__Output as _runlog_v1_StepState__Output } from '../../runlog/v1/StepState';

/**
 * The answer to GetStateRequest.
 */
export interface GetStateResponse {
  /**
   * The state.
   */
  'state'?: (_runlog_v1_StepState | null);
}

/**
 * The answer to GetStateRequest.
 */
export interface GetStateResponse__Output {
  /**
   * The state.
   */
  'state': (_runlog_v1_StepState__Output | null);
}
