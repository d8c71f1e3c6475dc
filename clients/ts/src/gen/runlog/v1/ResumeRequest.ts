// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';
import type { Long } from '@grpc/proto-loader';

/**
 * Asks to resume a run.
 */
export interface ResumeRequest {
  /**
   * The run.
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * Step to continue from; unset: the latest.
   */
  'resumeFrom'?: (number | string | Long);
  /**
   * Node ids of the current workflow definition.
   */
  'nodeIds'?: (string)[];
  '_resumeFrom'?: "resumeFrom";
}

/**
 * Asks to resume a run.
 */
export interface ResumeRequest__Output {
  /**
   * The run.
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * Step to continue from; unset: the latest.
   */
  'resumeFrom'?: (number);
  /**
   * Node ids of the current workflow definition.
   */
  'nodeIds': (string)[];
  '_resumeFrom'?: "resumeFrom";
}
