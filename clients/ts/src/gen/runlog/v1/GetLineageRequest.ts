// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';

/**
 * Asks for a run's lineage.
 */
export interface GetLineageRequest {
  /**
   * The run.
   */
  'run'?: (_runlog_v1_RunRef | null);
}

/**
 * Asks for a run's lineage.
 */
export interface GetLineageRequest__Output {
  /**
   * The run.
   */
  'run': (_runlog_v1_RunRef__Output | null);
}
