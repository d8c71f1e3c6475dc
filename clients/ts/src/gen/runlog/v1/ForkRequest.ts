// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';

/**
 * Asks to fork a run.
 */
export interface ForkRequest {
  /**
   * The parent run.
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * The last parent step the fork shares.
   */
  'fromStep'?: (number | string | Long);
  /**
   * Id of the new run; empty: the server makes one.
   */
  'newRunId'?: (string);
  /**
   * Tags of the new run; empty: the parent's.
   */
  'tags'?: ({[key: string]: string});
  /**
   * JSON merge patch (RFC 7386) applied to the fork point's state; empty: none.
   */
  'statePatchJson'?: (string);
  /**
   * Parameters of the new run; unset: the parent's.
   */
  'parameters'?: (_google_protobuf_Struct | null);
}

/**
 * Asks to fork a run.
 */
export interface ForkRequest__Output {
  /**
   * The parent run.
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * The last parent step the fork shares.
   */
  'fromStep': (number);
  /**
   * Id of the new run; empty: the server makes one.
   */
  'newRunId': (string);
  /**
   * Tags of the new run; empty: the parent's.
   */
  'tags': ({[key: string]: string});
  /**
   * JSON merge patch (RFC 7386) applied to the fork point's state; empty: none.
   */
  'statePatchJson': (string);
  /**
   * Parameters of the new run; unset: the parent's.
   */
  'parameters': (_google_protobuf_Struct__Output | null);
}
