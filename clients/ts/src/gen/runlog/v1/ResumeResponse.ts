// Original file: ../../proto/runlog/v1/state.proto

import type { StepState as _runlog_v1_StepState, StepState__Output as _runlog_v1_StepState__Output } from '../../runlog/v1/StepState';
import type { Long } from '@grpc/proto-loader';

/**
 * What a resumed run continues from.
 */
export interface ResumeResponse {
  /**
   * The state to continue from.
   */
  'state'?: (_runlog_v1_StepState | null);
  /**
   * The step number the engine should write next.
   */
  'nextStep'?: (number | string | Long);
}

/**
 * What a resumed run continues from.
 */
export interface ResumeResponse__Output {
  /**
   * The state to continue from.
   */
  'state': (_runlog_v1_StepState__Output | null);
  /**
   * The step number the engine should write next.
   */
  'nextStep': (number);
}
