// Original file: ../../proto/runlog/v1/state.proto

import type { RunRef as _runlog_v1_RunRef, RunRef__Output as _runlog_v1_RunRef__Output } from '../../runlog/v1/RunRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * The state after one step.
 */
export interface StepState {
  /**
   * The run asked for (steps inherited from an ancestor still name this run).
   */
  'run'?: (_runlog_v1_RunRef | null);
  /**
   * Step number.
   */
  'step'?: (number | string | Long);
  /**
   * Node executed in this step.
   */
  'nodeId'?: (string);
  /**
   * The engine's state as JSON text.
   */
  'stateJson'?: (string);
  /**
   * Paused waiting for input.
   */
  'awaitingInput'?: (boolean);
  /**
   * Nodes to execute next.
   */
  'nextNodeIds'?: (string)[];
  /**
   * When the step ended.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Nodes processed up to this step.
   */
  'processedNodeIds'?: (string)[];
  /**
   * Nodes waiting after this step.
   */
  'waitingNodeIds'?: (string)[];
  /**
   * The run whose snapshot this is: the run itself or the ancestor it was forked from.
   */
  'sourceRunId'?: (string);
}

/**
 * The state after one step.
 */
export interface StepState__Output {
  /**
   * The run asked for (steps inherited from an ancestor still name this run).
   */
  'run': (_runlog_v1_RunRef__Output | null);
  /**
   * Step number.
   */
  'step': (number);
  /**
   * Node executed in this step.
   */
  'nodeId': (string);
  /**
   * The engine's state as JSON text.
   */
  'stateJson': (string);
  /**
   * Paused waiting for input.
   */
  'awaitingInput': (boolean);
  /**
   * Nodes to execute next.
   */
  'nextNodeIds': (string)[];
  /**
   * When the step ended.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Nodes processed up to this step.
   */
  'processedNodeIds': (string)[];
  /**
   * Nodes waiting after this step.
   */
  'waitingNodeIds': (string)[];
  /**
   * The run whose snapshot this is: the run itself or the ancestor it was forked from.
   */
  'sourceRunId': (string);
}
