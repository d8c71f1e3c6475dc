// Original file: ../../proto/runlog/v1/events.proto

/**
 * Lifecycle state of a run or a task.
 */
export const Status = {
  /**
   * Not set; rejected by ingest.
   */
  STATUS_UNSPECIFIED: 'STATUS_UNSPECIFIED',
  /**
   * Created, not started yet.
   */
  STATUS_PENDING: 'STATUS_PENDING',
  /**
   * Executing.
   */
  STATUS_RUNNING: 'STATUS_RUNNING',
  /**
   * Paused, waiting for input or a dependency.
   */
  STATUS_WAITING: 'STATUS_WAITING',
  /**
   * Finished successfully.
   */
  STATUS_COMPLETED: 'STATUS_COMPLETED',
  /**
   * Finished with an error.
   */
  STATUS_FAILED: 'STATUS_FAILED',
  /**
   * The executor died without reporting an end.
   */
  STATUS_CRASHED: 'STATUS_CRASHED',
  /**
   * Stopped on request.
   */
  STATUS_CANCELLED: 'STATUS_CANCELLED',
  /**
   * Not executed because its condition did not hold (tasks only).
   */
  STATUS_SKIPPED: 'STATUS_SKIPPED',
} as const;

/**
 * Lifecycle state of a run or a task.
 */
export type Status =
  /**
   * Not set; rejected by ingest.
   */
  | 'STATUS_UNSPECIFIED'
  | 0
  /**
   * Created, not started yet.
   */
  | 'STATUS_PENDING'
  | 1
  /**
   * Executing.
   */
  | 'STATUS_RUNNING'
  | 2
  /**
   * Paused, waiting for input or a dependency.
   */
  | 'STATUS_WAITING'
  | 3
  /**
   * Finished successfully.
   */
  | 'STATUS_COMPLETED'
  | 4
  /**
   * Finished with an error.
   */
  | 'STATUS_FAILED'
  | 5
  /**
   * The executor died without reporting an end.
   */
  | 'STATUS_CRASHED'
  | 6
  /**
   * Stopped on request.
   */
  | 'STATUS_CANCELLED'
  | 7
  /**
   * Not executed because its condition did not hold (tasks only).
   */
  | 'STATUS_SKIPPED'
  | 8

/**
 * Lifecycle state of a run or a task.
 */
export type Status__Output = typeof Status[keyof typeof Status]
