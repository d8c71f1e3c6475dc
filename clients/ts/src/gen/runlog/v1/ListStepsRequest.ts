// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';

/**
 * Lists steps.
 */
export interface ListStepsRequest {
  /**
   * The run.
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize'?: (number);
  /**
   * From a previous response.
   */
  'pageToken'?: (string);
  /**
   * Leave state_json empty in the answer, for a light listing.
   */
  'omitState'?: (boolean);
}

/**
 * Lists steps.
 */
export interface ListStepsRequest__Output {
  /**
   * The run.
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize': (number);
  /**
   * From a previous response.
   */
  'pageToken': (string);
  /**
   * Leave state_json empty in the answer, for a light listing.
   */
  'omitState': (boolean);
}
