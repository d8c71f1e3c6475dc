// Original file: ../../proto/runlog/v1/query.proto

import type { LogLevel as _runlog_v1_LogLevel, LogLevel__Output as _runlog_v1_LogLevel__Output } from '../../runlog/v1/LogLevel';
import type { EventKind as _runlog_v1_EventKind, EventKind__Output as _runlog_v1_EventKind__Output } from '../../runlog/v1/EventKind';

/**
 * Which events a subscription or query wants. Empty fields match everything.
 */
export interface EventFilter {
  /**
   * Only this workflow. Empty: all workflows.
   */
  'workflowId'?: (string);
  /**
   * Only this run (needs workflow_id).
   */
  'runId'?: (string);
  /**
   * Only this task's log records and task status changes.
   */
  'taskName'?: (string);
  /**
   * Only log records at this level or above; other kinds are not affected.
   */
  'minLevel'?: (_runlog_v1_LogLevel);
  /**
   * Only these kinds. Empty: all kinds.
   */
  'kinds'?: (_runlog_v1_EventKind)[];
}

/**
 * Which events a subscription or query wants. Empty fields match everything.
 */
export interface EventFilter__Output {
  /**
   * Only this workflow. Empty: all workflows.
   */
  'workflowId': (string);
  /**
   * Only this run (needs workflow_id).
   */
  'runId': (string);
  /**
   * Only this task's log records and task status changes.
   */
  'taskName': (string);
  /**
   * Only log records at this level or above; other kinds are not affected.
   */
  'minLevel': (_runlog_v1_LogLevel__Output);
  /**
   * Only these kinds. Empty: all kinds.
   */
  'kinds': (_runlog_v1_EventKind__Output)[];
}
