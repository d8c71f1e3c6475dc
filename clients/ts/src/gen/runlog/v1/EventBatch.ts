// Original file: ../../proto/runlog/v1/events.proto

import type { Event as _runlog_v1_Event, Event__Output as _runlog_v1_Event__Output } from '../../runlog/v1/Event';

/**
 * Events of one workflow as published on one JetStream message (internal wire format).
 */
export interface EventBatch {
  /**
   * The events, in the order the agent sent them.
   */
  'events'?: (_runlog_v1_Event)[];
}

/**
 * Events of one workflow as published on one JetStream message (internal wire format).
 */
export interface EventBatch__Output {
  /**
   * The events, in the order the agent sent them.
   */
  'events': (_runlog_v1_Event__Output)[];
}
