// Original file: ../../proto/runlog/v1/events.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * A run began. Carries the workflow definition it runs against.
 */
export interface RunStarted {
  /**
   * Human-readable workflow name.
   */
  'workflowName'?: (string);
  /**
   * Free-form labels, e.g. {"team": "data"}; filterable in ListRuns.
   */
  'tags'?: ({[key: string]: string});
  /**
   * Run parameters as given by the user.
   */
  'parameters'?: (_google_protobuf_Struct | null);
  /**
   * Engine configuration the run was started with.
   */
  'config'?: (_google_protobuf_Struct | null);
  /**
   * Hash of the workflow definition (DAG), to tell definitions apart.
   */
  'dagHash'?: (string);
  /**
   * Node ids of the workflow definition.
   */
  'nodeIds'?: (string)[];
  /**
   * When forked: the run this one was forked from; empty otherwise.
   */
  'parentRunId'?: (string);
  /**
   * When forked: the last step of the parent that this run shares.
   */
  'forkStep'?: (number | string | Long);
  /**
   * When the run started, by the agent's clock; ingest time if unset.
   */
  'time'?: (_google_protobuf_Timestamp | null);
}

/**
 * A run began. Carries the workflow definition it runs against.
 */
export interface RunStarted__Output {
  /**
   * Human-readable workflow name.
   */
  'workflowName': (string);
  /**
   * Free-form labels, e.g. {"team": "data"}; filterable in ListRuns.
   */
  'tags': ({[key: string]: string});
  /**
   * Run parameters as given by the user.
   */
  'parameters': (_google_protobuf_Struct__Output | null);
  /**
   * Engine configuration the run was started with.
   */
  'config': (_google_protobuf_Struct__Output | null);
  /**
   * Hash of the workflow definition (DAG), to tell definitions apart.
   */
  'dagHash': (string);
  /**
   * Node ids of the workflow definition.
   */
  'nodeIds': (string)[];
  /**
   * When forked: the run this one was forked from; empty otherwise.
   */
  'parentRunId': (string);
  /**
   * When forked: the last step of the parent that this run shares.
   */
  'forkStep': (number);
  /**
   * When the run started, by the agent's clock; ingest time if unset.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
}
