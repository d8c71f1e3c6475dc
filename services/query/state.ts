// gRPC handlers of StateService (resume, fork, lineage): thin, the work is in time-travel.ts.
import { duration, type Spec } from '../common/config.js';
import type { StateServiceHandlers } from '../common/gen/runlog/v1/StateService.js';
import type { Logger } from '../common/telemetry.js';
import { LIMITS_SPEC } from '../ingest/validate.js';
import { unary } from './server.js';
import type { TimeTravel } from './time-travel.js';

/** Settings of the state service: ingest's limits (a fork writes events too) and the publish deadline. */
export const STATE_SPEC = {
  ...LIMITS_SPEC,
  publishTimeoutMs: { env: 'RUNLOG_PUBLISH_TIMEOUT', default: 5000, parse: duration, help: 'how long to wait for a JetStream ack' },
} satisfies Spec;

export function createStateHandlers(timeTravel: TimeTravel, logger: Logger): StateServiceHandlers {
  return {
    GetState: unary('GetState', logger, (request) => timeTravel.getState(request)),
    ListSteps: unary('ListSteps', logger, (request) => timeTravel.listSteps(request)),
    Resume: unary('Resume', logger, (request) => timeTravel.resume(request)),
    Fork: unary('Fork', logger, (request) => timeTravel.fork(request)),
    GetLineage: unary('GetLineage', logger, (request) => timeTravel.getLineage(request)),
  };
}
