// Original file: ../../proto/runlog/v1/ingest.proto


/**
 * The outcome of one AppendRequest.
 */
export interface AppendResponse {
  /**
   * The request's id (the server-made one if the request had none).
   */
  'requestId'?: (string);
  /**
   * How many events were accepted: all of the request's.
   */
  'accepted'?: (number);
  /**
   * True when JetStream recognised the request as a retry already stored.
   */
  'duplicate'?: (boolean);
}

/**
 * The outcome of one AppendRequest.
 */
export interface AppendResponse__Output {
  /**
   * The request's id (the server-made one if the request had none).
   */
  'requestId': (string);
  /**
   * How many events were accepted: all of the request's.
   */
  'accepted': (number);
  /**
   * True when JetStream recognised the request as a retry already stored.
   */
  'duplicate': (boolean);
}
