// Original file: ../../proto/runlog/v1/query.proto

import type { StoredEvent as _runlog_v1_StoredEvent, StoredEvent__Output as _runlog_v1_StoredEvent__Output } from '../../runlog/v1/StoredEvent';

/**
 * The answer to QueryLogsRequest.
 */
export interface QueryLogsResponse {
  /**
   * The records, each as a stored event.
   */
  'records'?: (_runlog_v1_StoredEvent)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken'?: (string);
}

/**
 * The answer to QueryLogsRequest.
 */
export interface QueryLogsResponse__Output {
  /**
   * The records, each as a stored event.
   */
  'records': (_runlog_v1_StoredEvent__Output)[];
  /**
   * Token for the next page; empty when there is none.
   */
  'nextPageToken': (string);
}
