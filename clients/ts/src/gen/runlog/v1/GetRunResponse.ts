// Original file: ../../proto/runlog/v1/query.proto

import type { Run as _runlog_v1_Run, Run__Output as _runlog_v1_Run__Output } from '../../runlog/v1/Run';

/**
 * The answer to GetRunRequest.
 */
export interface GetRunResponse {
  /**
   * The run.
   */
  'run'?: (_runlog_v1_Run | null);
}

/**
 * The answer to GetRunRequest.
 */
export interface GetRunResponse__Output {
  /**
   * The run.
   */
  'run': (_runlog_v1_Run__Output | null);
}
