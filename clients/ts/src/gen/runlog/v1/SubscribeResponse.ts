// Original file: ../../proto/runlog/v1/query.proto

import type { StoredEvent as _runlog_v1_StoredEvent, StoredEvent__Output as _runlog_v1_StoredEvent__Output } from '../../runlog/v1/StoredEvent';

/**
 * One event of a subscription.
 */
export interface SubscribeResponse {
  /**
   * The event with its cursor.
   */
  'event'?: (_runlog_v1_StoredEvent | null);
}

/**
 * One event of a subscription.
 */
export interface SubscribeResponse__Output {
  /**
   * The event with its cursor.
   */
  'event': (_runlog_v1_StoredEvent__Output | null);
}
