// Original file: ../../proto/runlog/v1/query.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * Lists runs.
 */
export interface ListRunsRequest {
  /**
   * Only this workflow's runs. Empty: all.
   */
  'workflowId'?: (string);
  /**
   * Only runs whose current status is one of these. Empty: any.
   */
  'statuses'?: (_runlog_v1_Status)[];
  /**
   * Only runs that have all these tags with these values.
   */
  'tags'?: ({[key: string]: string});
  /**
   * Runs started at or after this time.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Runs started before this time.
   */
  'endTime'?: (_google_protobuf_Timestamp | null);
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize'?: (number);
  /**
   * From a previous response.
   */
  'pageToken'?: (string);
}

/**
 * Lists runs.
 */
export interface ListRunsRequest__Output {
  /**
   * Only this workflow's runs. Empty: all.
   */
  'workflowId': (string);
  /**
   * Only runs whose current status is one of these. Empty: any.
   */
  'statuses': (_runlog_v1_Status__Output)[];
  /**
   * Only runs that have all these tags with these values.
   */
  'tags': ({[key: string]: string});
  /**
   * Runs started at or after this time.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Runs started before this time.
   */
  'endTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * At most this many; 0 means 100, capped at 1000.
   */
  'pageSize': (number);
  /**
   * From a previous response.
   */
  'pageToken': (string);
}
