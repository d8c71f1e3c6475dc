// Original file: ../../proto/runlog/v1/events.proto

/**
 * Severity of a log record, ordered from least to most severe.
 */
export const LogLevel = {
  /**
   * Not set; rejected by ingest.
   */
  LOG_LEVEL_UNSPECIFIED: 'LOG_LEVEL_UNSPECIFIED',
  /**
   * Finest-grained diagnostics.
   */
  LOG_LEVEL_TRACE: 'LOG_LEVEL_TRACE',
  /**
   * Diagnostics useful while developing a workflow.
   */
  LOG_LEVEL_DEBUG: 'LOG_LEVEL_DEBUG',
  /**
   * Normal progress.
   */
  LOG_LEVEL_INFO: 'LOG_LEVEL_INFO',
  /**
   * Something unexpected that the run survived.
   */
  LOG_LEVEL_WARN: 'LOG_LEVEL_WARN',
  /**
   * A failure of a task or step.
   */
  LOG_LEVEL_ERROR: 'LOG_LEVEL_ERROR',
  /**
   * A failure that ends the run.
   */
  LOG_LEVEL_FATAL: 'LOG_LEVEL_FATAL',
} as const;

/**
 * Severity of a log record, ordered from least to most severe.
 */
export type LogLevel =
  /**
   * Not set; rejected by ingest.
   */
  | 'LOG_LEVEL_UNSPECIFIED'
  | 0
  /**
   * Finest-grained diagnostics.
   */
  | 'LOG_LEVEL_TRACE'
  | 1
  /**
   * Diagnostics useful while developing a workflow.
   */
  | 'LOG_LEVEL_DEBUG'
  | 2
  /**
   * Normal progress.
   */
  | 'LOG_LEVEL_INFO'
  | 3
  /**
   * Something unexpected that the run survived.
   */
  | 'LOG_LEVEL_WARN'
  | 4
  /**
   * A failure of a task or step.
   */
  | 'LOG_LEVEL_ERROR'
  | 5
  /**
   * A failure that ends the run.
   */
  | 'LOG_LEVEL_FATAL'
  | 6

/**
 * Severity of a log record, ordered from least to most severe.
 */
export type LogLevel__Output = typeof LogLevel[keyof typeof LogLevel]
