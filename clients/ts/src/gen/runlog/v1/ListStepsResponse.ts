// Original file: ../../proto/runlog/v1/state.proto

import type { StepState as _runlog_v1_StepState, StepState__Output as _runlog_v1_StepState__Output } from '../../runlog/v1/StepState';

/**
 * The answer to ListStepsRequest.
 */
export interface ListStepsResponse {
  /**
   * Steps, oldest first.
   */
  'steps'?: (_runlog_v1_StepState)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken'?: (string);
}

/**
 * The answer to ListStepsRequest.
 */
export interface ListStepsResponse__Output {
  /**
   * Steps, oldest first.
   */
  'steps': (_runlog_v1_StepState__Output)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken': (string);
}
