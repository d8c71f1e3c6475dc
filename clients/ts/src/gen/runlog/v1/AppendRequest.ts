// Original file: ../../proto/runlog/v1/ingest.proto

import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from '../../runlog/v1/Event';

/**
 * A batch of events to store.
 */
export interface AppendRequest {
  /**
   * Idempotency key, 1 to 128 printable ASCII characters; a retry with the same key
   * within the de-duplication window is stored once. Empty: the server makes one
   * (no de-duplication across retries).
   */
  'requestId'?: (string);
  /**
   * The events, in order. Order is kept per run.
   */
  'events'?: (_runlog_v1_Event)[];
}

/**
 * A batch of events to store.
 */
export interface AppendRequest__Output {
  /**
   * Idempotency key, 1 to 128 printable ASCII characters; a retry with the same key
   * within the de-duplication window is stored once. Empty: the server makes one
   * (no de-duplication across retries).
   */
  'requestId': (string);
  /**
   * The events, in order. Order is kept per run.
   */
  'events': (_runlog_v1_Event__Output)[];
}
