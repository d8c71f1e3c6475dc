// Original file: ../../proto/runlog/v1/state.proto

import type { Status as _runlog_v1_Status, Status__Output as _runlog_v1_Status__Output } from '../../runlog/v1/Status';
import type { LineageNode as _runlog_v1_LineageNode, LineageNode__Output as _runlog_v1_LineageNode__Output } from '../../runlog/v1/LineageNode';
import type { Long } from '@grpc/proto-loader';

/**
 * A run in a lineage tree.
 */
export interface LineageNode {
  /**
   * Run id.
   */
  'runId'?: (string);
  /**
   * Parent run id; empty for the root.
   */
  'parentRunId'?: (string);
  /**
   * Step of the parent it was forked at.
   */
  'forkStep'?: (number | string | Long);
  /**
   * Latest status.
   */
  'status'?: (_runlog_v1_Status);
  /**
   * Forks of this run.
   */
  'forks'?: (_runlog_v1_LineageNode)[];
}

/**
 * A run in a lineage tree.
 */
export interface LineageNode__Output {
  /**
   * Run id.
   */
  'runId': (string);
  /**
   * Parent run id; empty for the root.
   */
  'parentRunId': (string);
  /**
   * Step of the parent it was forked at.
   */
  'forkStep': (number);
  /**
   * Latest status.
   */
  'status': (_runlog_v1_Status__Output);
  /**
   * Forks of this run.
   */
  'forks': (_runlog_v1_LineageNode__Output)[];
}
