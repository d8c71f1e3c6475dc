// Original file: ../../proto/runlog/v1/events.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * A task changed status.
 */
export interface TaskStatusChange {
  /**
   * The task.
   */
  'taskName'?: (string);
  /**
   * Instance of the task.
   */
  'taskInstanceId'?: (string);
  /**
   * Attempt number, starting at 1.
   */
  'attempt'?: (number);
  /**
   * The new status.
   */
  'status'?: (_runlog_v1_Status);
  /**
   * When it changed, by the agent's clock; ingest time if unset.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Why, e.g. an error message.
   */
  'reason'?: (string);
}

/**
 * A task changed status.
 */
export interface TaskStatusChange__Output {
  /**
   * The task.
   */
  'taskName': (string);
  /**
   * Instance of the task.
   */
  'taskInstanceId': (string);
  /**
   * Attempt number, starting at 1.
   */
  'attempt': (number);
  /**
   * The new status.
   */
  'status': (_runlog_v1_Status__Output);
  /**
   * When it changed, by the agent's clock; ingest time if unset.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Why, e.g. an error message.
   */
  'reason': (string);
}
