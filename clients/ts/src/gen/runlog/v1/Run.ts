// Original file: ../../proto/runlog/v1/query.proto

import type { RunSummary as _runlog_v1_RunSummary, RunSummary__Output as _runlog_v1_RunSummary__Output } from '../../runlog/v1/RunSummary';
import type { StatusEntry as _runlog_v1_StatusEntry, StatusEntry__Output as _runlog_v1_StatusEntry__Output } from '../../runlog/v1/StatusEntry';
import type { TaskSummary as _runlog_v1_TaskSummary, TaskSummary__Output as _runlog_v1_TaskSummary__Output } from '../../runlog/v1/TaskSummary';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';

/**
 * A run in full.
 */
export interface Run {
  /**
   * The summary.
   */
  'summary'?: (_runlog_v1_RunSummary | null);
  /**
   * Every run status change, oldest first.
   */
  'timeline'?: (_runlog_v1_StatusEntry)[];
  /**
   * Tasks, by first appearance.
   */
  'tasks'?: (_runlog_v1_TaskSummary)[];
  /**
   * Parameters from RunStarted.
   */
  'parameters'?: (_google_protobuf_Struct | null);
  /**
   * Config from RunStarted.
   */
  'config'?: (_google_protobuf_Struct | null);
  /**
   * Definition hash from RunStarted.
   */
  'dagHash'?: (string);
  /**
   * Node ids from RunStarted.
   */
  'nodeIds'?: (string)[];
  /**
   * Step the run was forked at, when it is a fork.
   */
  'forkStep'?: (number | string | Long);
  /**
   * Runs forked from this one.
   */
  'forkRunIds'?: (string)[];
}

/**
 * A run in full.
 */
export interface Run__Output {
  /**
   * The summary.
   */
  'summary': (_runlog_v1_RunSummary__Output | null);
  /**
   * Every run status change, oldest first.
   */
  'timeline': (_runlog_v1_StatusEntry__Output)[];
  /**
   * Tasks, by first appearance.
   */
  'tasks': (_runlog_v1_TaskSummary__Output)[];
  /**
   * Parameters from RunStarted.
   */
  'parameters': (_google_protobuf_Struct__Output | null);
  /**
   * Config from RunStarted.
   */
  'config': (_google_protobuf_Struct__Output | null);
  /**
   * Definition hash from RunStarted.
   */
  'dagHash': (string);
  /**
   * Node ids from RunStarted.
   */
  'nodeIds': (string)[];
  /**
   * Step the run was forked at, when it is a fork.
   */
  'forkStep': (number);
  /**
   * Runs forked from this one.
   */
  'forkRunIds': (string)[];
}
