// Original file: ../../proto/runlog/v1/query.proto

import type { EventFilter as _runlog_v1_EventFilter, EventFilter__Output as _runlog_v1_EventFilter__Output } from '../../runlog/v1/EventFilter';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Order as _runlog_v1_Order, Order__Output as _runlog_v1_Order__Output } from '../../runlog/v1/Order';

/**
 * A page of log records.
 */
export interface QueryLogsRequest {
  /**
   * Which records; kinds is ignored (always log records).
   */
  'filter'?: (_runlog_v1_EventFilter | null);
  /**
   * Records at or after this agent time.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Records before this agent time.
   */
  'endTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Only messages containing this text (case-sensitive, taken literally).
   */
  'contains'?: (string);
  /**
   * Sort order by store position; default ascending.
   */
  'order'?: (_runlog_v1_Order);
  /**
   * At most this many records; 0 means 100, more than 1000 is capped at 1000.
   */
  'pageSize'?: (number);
  /**
   * From a previous response's next_page_token, with the same other fields.
   */
  'pageToken'?: (string);
}

/**
 * A page of log records.
 */
export interface QueryLogsRequest__Output {
  /**
   * Which records; kinds is ignored (always log records).
   */
  'filter': (_runlog_v1_EventFilter__Output | null);
  /**
   * Records at or after this agent time.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Records before this agent time.
   */
  'endTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Only messages containing this text (case-sensitive, taken literally).
   */
  'contains': (string);
  /**
   * Sort order by store position; default ascending.
   */
  'order': (_runlog_v1_Order__Output);
  /**
   * At most this many records; 0 means 100, more than 1000 is capped at 1000.
   */
  'pageSize': (number);
  /**
   * From a previous response's next_page_token, with the same other fields.
   */
  'pageToken': (string);
}
