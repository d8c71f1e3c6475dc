// Original file: ../../proto/runlog/v1/query.proto

import type { EventFilter as _runlog_v1_EventFilter, EventFilter__Output as _runlog_v1_EventFilter__Output } from '../../runlog/v1/EventFilter';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * Opens a subscription.
 */
export interface SubscribeRequest {
  /**
   * What to receive.
   */
  'filter'?: (_runlog_v1_EventFilter | null);
  /**
   * Every stored event that matches.
   */
  'fromBeginning'?: (boolean);
  /**
   * Events ingested at or after this time.
   */
  'since'?: (_google_protobuf_Timestamp | null);
  /**
   * Events after this cursor (from a StoredEvent received earlier with the same filter).
   */
  'afterCursor'?: (string);
  /**
   * Where to start. Unset: only events stored after the subscription opened.
   */
  'start'?: "fromBeginning"|"since"|"afterCursor";
}

/**
 * Opens a subscription.
 */
export interface SubscribeRequest__Output {
  /**
   * What to receive.
   */
  'filter': (_runlog_v1_EventFilter__Output | null);
  /**
   * Every stored event that matches.
   */
  'fromBeginning'?: (boolean);
  /**
   * Events ingested at or after this time.
   */
  'since'?: (_google_protobuf_Timestamp__Output | null);
  /**
   * Events after this cursor (from a StoredEvent received earlier with the same filter).
   */
  'afterCursor'?: (string);
  /**
   * Where to start. Unset: only events stored after the subscription opened.
   */
  'start'?: "fromBeginning"|"since"|"afterCursor";
}
