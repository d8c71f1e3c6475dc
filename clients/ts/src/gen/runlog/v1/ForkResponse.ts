// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';
import type { StepState as _runlog_v1_StepState, StepState__Output as _runlog_v1_StepState__Output } from '../../runlog/v1/StepState';

/**
 * The new run.
 */
export interface ForkResponse {
  /**
   * The fork.
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * Its state at the fork point (patched when asked).
   */
  'state'?: (_runlog_v1_StepState | null);
}

/**
 * The new run.
 */
export interface ForkResponse__Output {
  /**
   * The fork.
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * Its state at the fork point (patched when asked).
   */
  'state': (_runlog_v1_StepState__Output | null);
}
