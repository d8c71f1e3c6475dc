// Original file: ../../proto/runlog/v1/events.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { LogLevel as _runlog_v1_LogLevel, LogLevel__Output as _runlog_v1_LogLevel__Output } from '../../runlog/v1/LogLevel';

/**
 * One log line.
 */
export interface LogRecord {
  /**
   * Task that wrote it; empty for run-level lines.
   */
  'taskName'?: (string);
  /**
   * Instance of the task (one per attempt or map item).
   */
  'taskInstanceId'?: (string);
  /**
   * When the line was written, by the agent's clock; ingest time if unset.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Severity.
   */
  'level'?: (_runlog_v1_LogLevel);
  /**
   * The text.
   */
  'message'?: (string);
  /**
   * Structured fields.
   */
  'attributes'?: ({[key: string]: string});
  /**
   * OpenTelemetry trace id (32 hex digits), if the agent traces.
   */
  'traceId'?: (string);
  /**
   * OpenTelemetry span id (16 hex digits), if the agent traces.
   */
  'spanId'?: (string);
}

/**
 * One log line.
 */
export interface LogRecord__Output {
  /**
   * Task that wrote it; empty for run-level lines.
   */
  'taskName': (string);
  /**
   * Instance of the task (one per attempt or map item).
   */
  'taskInstanceId': (string);
  /**
   * When the line was written, by the agent's clock; ingest time if unset.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Severity.
   */
  'level': (_runlog_v1_LogLevel__Output);
  /**
   * The text.
   */
  'message': (string);
  /**
   * Structured fields.
   */
  'attributes': ({[key: string]: string});
  /**
   * OpenTelemetry trace id (32 hex digits), if the agent traces.
   */
  'traceId': (string);
  /**
   * OpenTelemetry span id (16 hex digits), if the agent traces.
   */
  'spanId': (string);
}
