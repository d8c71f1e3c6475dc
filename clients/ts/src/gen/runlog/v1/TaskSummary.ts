// Original file: ../../proto/runlog/v1/query.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { StatusEntry as _runlog_v1_StatusEntry, StatusEntry__Output as _runlog_v1_StatusEntry__Output } from '../../runlog/v1/StatusEntry';

/**
 * A task of a run with its timeline.
 */
export interface TaskSummary {
  /**
   * Task name.
   */
  'taskName'?: (string);
  /**
   * Task instance.
   */
  'taskInstanceId'?: (string);
  /**
   * Latest status.
   */
  'status'?: (_runlog_v1_Status);
  /**
   * Latest attempt.
   */
  'attempt'?: (number);
  /**
   * Every status change, oldest first.
   */
  'timeline'?: (_runlog_v1_StatusEntry)[];
}

/**
 * A task of a run with its timeline.
 */
export interface TaskSummary__Output {
  /**
   * Task name.
   */
  'taskName': (string);
  /**
   * Task instance.
   */
  'taskInstanceId': (string);
  /**
   * Latest status.
   */
  'status': (_runlog_v1_Status__Output);
  /**
   * Latest attempt.
   */
  'attempt': (number);
  /**
   * Every status change, oldest first.
   */
  'timeline': (_runlog_v1_StatusEntry__Output)[];
}
