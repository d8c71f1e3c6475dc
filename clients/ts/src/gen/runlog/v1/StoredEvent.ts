// Original file: ../../proto/runlog/v1/events.proto

import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from '../../runlog/v1/Event';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * An event as stored: the event plus where and when runlog stored it.
 */
export interface StoredEvent {
  /**
   * The event.
   */
  'event'?: (_runlog_v1_Event | null);
  /**
   * Opaque position; Subscribe with after_cursor set to it continues right after this event.
   */
  'cursor'?: (string);
  /**
   * When runlog's JetStream stream accepted the event.
   */
  'ingestTime'?: (_google_protobuf_Timestamp | null);
}

/**
 * An event as stored: the event plus where and when runlog stored it.
 */
export interface StoredEvent__Output {
  /**
   * The event.
   */
  'event': (_runlog_v1_Event__Output | null);
  /**
   * Opaque position; Subscribe with after_cursor set to it continues right after this event.
   */
  'cursor': (string);
  /**
   * When runlog's JetStream stream accepted the event.
   */
  'ingestTime': (_google_protobuf_Timestamp__Output | null);
}
