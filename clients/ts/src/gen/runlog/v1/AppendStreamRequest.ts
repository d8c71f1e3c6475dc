// Original file: ../../proto/runlog/v1/ingest.proto

import type { AppendRequest as _runlog_v1_AppendRequest, AppendRequest__Output as _runlog_v1_AppendRequest__Output } from '../../runlog/v1/AppendRequest';

/**
 * One request on an AppendStream.
 */
export interface AppendStreamRequest {
  /**
   * The batch to append.
   */
  'request'?: (_runlog_v1_AppendRequest | null);
}

/**
 * One request on an AppendStream.
 */
export interface AppendStreamRequest__Output {
  /**
   * The batch to append.
   */
  'request': (_runlog_v1_AppendRequest__Output | null);
}
