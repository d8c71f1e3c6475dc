// Original file: ../../proto/runlog/v1/events.proto

import type { RunStarted as _runlog_v1_RunStarted, RunStarted__Output as _runlog_v1_RunStarted__Output } from '../../runlog/v1/RunStarted';
import type { LogRecord as _runlog_v1_LogRecord, LogRecord__Output as _runlog_v1_LogRecord__Output } from '../../runlog/v1/LogRecord';
import type { RunStatusChange as _runlog_v1_RunStatusChange, RunStatusChange__Output as _runlog_v1_RunStatusChange__Output } from '../../runlog/v1/RunStatusChange';
import type { TaskStatusChange as _runlog_v1_TaskStatusChange, TaskStatusChange__Output as _runlog_v1_TaskStatusChange__Output } from '../../runlog/v1/TaskStatusChange';
import type { StepSnapshot as _runlog_v1_StepSnapshot, StepSnapshot__Output as _runlog_v1_StepSnapshot__Output } from '../../runlog/v1/StepSnapshot';

/**
 * One event of a run, as sent by an agent.
 */
export interface Event {
  /**
   * Workflow id: 1 to 256 bytes of UTF-8, no control characters.
   */
  'workflowId'?: (string);
  /**
   * Run id: 1 to 256 bytes of UTF-8, no control characters; unique within the workflow.
   */
  'runId'?: (string);
  /**
   * A run began.
   */
  'runStarted'?: (_runlog_v1_RunStarted | null);
  /**
   * A log line.
   */
  'log'?: (_runlog_v1_LogRecord | null);
  /**
   * A run changed status.
   */
  'runStatus'?: (_runlog_v1_RunStatusChange | null);
  /**
   * A task changed status.
   */
  'taskStatus'?: (_runlog_v1_TaskStatusChange | null);
  /**
   * A step's state snapshot.
   */
  'step'?: (_runlog_v1_StepSnapshot | null);
  /**
   * What happened.
   */
  'kind'?: "runStarted"|"log"|"runStatus"|"taskStatus"|"step";
}

/**
 * One event of a run, as sent by an agent.
 */
export interface Event__Output {
  /**
   * Workflow id: 1 to 256 bytes of UTF-8, no control characters.
   */
  'workflowId': (string);
  /**
   * Run id: 1 to 256 bytes of UTF-8, no control characters; unique within the workflow.
   */
  'runId': (string);
  /**
   * A run began.
   */
  'runStarted'?: (_runlog_v1_RunStarted__Output | null);
  /**
   * A log line.
   */
  'log'?: (_runlog_v1_LogRecord__Output | null);
  /**
   * A run changed status.
   */
  'runStatus'?: (_runlog_v1_RunStatusChange__Output | null);
  /**
   * A task changed status.
   */
  'taskStatus'?: (_runlog_v1_TaskStatusChange__Output | null);
  /**
   * A step's state snapshot.
   */
  'step'?: (_runlog_v1_StepSnapshot__Output | null);
  /**
   * What happened.
   */
  'kind'?: "runStarted"|"log"|"runStatus"|"taskStatus"|"step";
}
