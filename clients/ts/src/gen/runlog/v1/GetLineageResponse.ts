// Original file: ../../proto/runlog/v1/state.proto

import type { LineageNode as _runlog_v1_LineageNode, LineageNode__Output as _runlog_v1_LineageNode__Output } from '../../runlog/v1/LineageNode';

/**
 * Ancestors and forks of a run.
 */
export interface GetLineageResponse {
  /**
   * From the run's parent up to the root, nearest first.
   */
  'ancestors'?: (_runlog_v1_LineageNode)[];
  /**
   * The run itself with its forks, recursively.
   */
  'run'?: (_runlog_v1_LineageNode | null);
}

/**
 * Ancestors and forks of a run.
 */
export interface GetLineageResponse__Output {
  /**
   * From the run's parent up to the root, nearest first.
   */
  'ancestors': (_runlog_v1_LineageNode__Output)[];
  /**
   * The run itself with its forks, recursively.
   */
  'run': (_runlog_v1_LineageNode__Output | null);
}
