// Original file: ../../proto/runlog/v1/query.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * One status change in a timeline.
 */
export interface StatusEntry {
  /**
   * The status.
   */
  'status'?: (_runlog_v1_Status);
  /**
   * When.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Why.
   */
  'reason'?: (string);
  /**
   * Attempt (tasks only).
   */
  'attempt'?: (number);
}

/**
 * One status change in a timeline.
 */
export interface StatusEntry__Output {
  /**
   * The status.
   */
  'status': (_runlog_v1_Status__Output);
  /**
   * When.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Why.
   */
  'reason': (string);
  /**
   * Attempt (tasks only).
   */
  'attempt': (number);
}
