// Original file: ../../proto/runlog/v1/ingest.proto

import type { AppendResponse as _runlog_v1_AppendResponse, AppendResponse__Output as _runlog_v1_AppendResponse__Output } from '../../runlog/v1/AppendResponse';

/**
 * The answer to one AppendStreamRequest, in request order.
 */
export interface AppendStreamResponse {
  /**
   * The outcome.
   */
  'response'?: (_runlog_v1_AppendResponse | null);
}

/**
 * The answer to one AppendStreamRequest, in request order.
 */
export interface AppendStreamResponse__Output {
  /**
   * The outcome.
   */
  'response': (_runlog_v1_AppendResponse__Output | null);
}
