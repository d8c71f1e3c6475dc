// Original file: ../../proto/runlog/v1/events.proto

/**
 * Kinds of events, for filters.
 */
export const EventKind = {
  /**
   * Not set.
   */
  EVENT_KIND_UNSPECIFIED: 'EVENT_KIND_UNSPECIFIED',
  /**
   * RunStarted.
   */
  EVENT_KIND_RUN_STARTED: 'EVENT_KIND_RUN_STARTED',
  /**
   * LogRecord.
   */
  EVENT_KIND_LOG: 'EVENT_KIND_LOG',
  /**
   * RunStatusChange.
   */
  EVENT_KIND_RUN_STATUS: 'EVENT_KIND_RUN_STATUS',
  /**
   * TaskStatusChange.
   */
  EVENT_KIND_TASK_STATUS: 'EVENT_KIND_TASK_STATUS',
  /**
   * StepSnapshot.
   */
  EVENT_KIND_STEP: 'EVENT_KIND_STEP',
} as const;

/**
 * Kinds of events, for filters.
 */
export type EventKind =
  /**
   * Not set.
   */
  | 'EVENT_KIND_UNSPECIFIED'
  | 0
  /**
   * RunStarted.
   */
  | 'EVENT_KIND_RUN_STARTED'
  | 1
  /**
   * LogRecord.
   */
  | 'EVENT_KIND_LOG'
  | 2
  /**
   * RunStatusChange.
   */
  | 'EVENT_KIND_RUN_STATUS'
  | 3
  /**
   * TaskStatusChange.
   */
  | 'EVENT_KIND_TASK_STATUS'
  | 4
  /**
   * StepSnapshot.
   */
  | 'EVENT_KIND_STEP'
  | 5

/**
 * Kinds of events, for filters.
 */
export type EventKind__Output = typeof EventKind[keyof typeof EventKind]
