// Original file: ../../proto/runlog/v1/events.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * The engine's full state after one step of a run.
 */
export interface StepSnapshot {
  /**
   * Step number: 0, 1, 2, … in the run's timeline.
   */
  'step'?: (number | string | Long);
  /**
   * Node that executed in this step.
   */
  'nodeId'?: (string);
  /**
   * The engine's whole state after the step, as JSON text.
   */
  'stateJson'?: (string);
  /**
   * True when the run is paused waiting for input after this step.
   */
  'awaitingInput'?: (boolean);
  /**
   * Nodes the engine will execute next.
   */
  'nextNodeIds'?: (string)[];
  /**
   * When the step ended, by the agent's clock; ingest time if unset.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Nodes recorded as processed up to and including this step.
   */
  'processedNodeIds'?: (string)[];
  /**
   * Nodes waiting for input or scheduling after this step.
   */
  'waitingNodeIds'?: (string)[];
}

/**
 * The engine's full state after one step of a run.
 */
export interface StepSnapshot__Output {
  /**
   * Step number: 0, 1, 2, … in the run's timeline.
   */
  'step': (number);
  /**
   * Node that executed in this step.
   */
  'nodeId': (string);
  /**
   * The engine's whole state after the step, as JSON text.
   */
  'stateJson': (string);
  /**
   * True when the run is paused waiting for input after this step.
   */
  'awaitingInput': (boolean);
  /**
   * Nodes the engine will execute next.
   */
  'nextNodeIds': (string)[];
  /**
   * When the step ended, by the agent's clock; ingest time if unset.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Nodes recorded as processed up to and including this step.
   */
  'processedNodeIds': (string)[];
  /**
   * Nodes waiting for input or scheduling after this step.
   */
  'waitingNodeIds': (string)[];
}
