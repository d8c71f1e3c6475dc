// Original file: ../../proto/runlog/v1/query.proto

import type { RunSummary as _runlog_v1_RunSummary, RunSummary__Output as _runlog_v1_RunSummary__Output } from '../../runlog/v1/RunSummary';

/**
 * The answer to ListRunsRequest.
 */
export interface ListRunsResponse {
  /**
   * Runs, newest start first.
   */
  'runs'?: (_runlog_v1_RunSummary)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken'?: (string);
}

/**
 * The answer to ListRunsRequest.
 */
export interface ListRunsResponse__Output {
  /**
   * Runs, newest start first.
   */
  'runs': (_runlog_v1_RunSummary__Output)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken': (string);
}
