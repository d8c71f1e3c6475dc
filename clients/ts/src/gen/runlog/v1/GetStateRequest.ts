// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';
import type { Long } from '@grpc/proto-loader';

/**
 * Asks for a step's state.
 */
export interface GetStateRequest {
  /**
   * The run.
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * The step; unset: the latest.
   */
  'step'?: (number | string | Long);
  '_step'?: "step";
}

/**
 * Asks for a step's state.
 */
export interface GetStateRequest__Output {
  /**
   * The run.
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * The step; unset: the latest.
   */
  'step'?: (number);
  '_step'?: "step";
}
