// gRPC handlers of StateService (resume, fork, lineage): thin, the work is in time-travel.ts.
import type { Spec } from '../common/config.js';
import { PUBLISH_SPEC } from '../common/publish.js';
import type { StateServiceHandlers } from '../common/gen/runlog/v1/StateService.js';
import type { Logger } from '../common/telemetry.js';
import { LIMITS_SPEC } from '../common/validate.js';
import { unary } from './server.js';
import type { TimeTravel } from './time-travel.js';

/** Settings of the state service: ingest's limits (a fork writes events too) and the publish deadline. */
export const STATE_SPEC = { ...LIMITS_SPEC, ...PUBLISH_SPEC } satisfies Spec;

export function createStateHandlers(timeTravel: TimeTravel, logger: Logger): StateServiceHandlers {
  return {
    GetState: unary('GetState', logger, (request) => timeTravel.getState(request)),
    ListSteps: unary('ListSteps', logger, (request) => timeTravel.listSteps(request)),
    Resume: unary('Resume', logger, (request) => timeTravel.resume(request)),
    Fork: unary('Fork', logger, (request) => timeTravel.fork(request)),
    GetLineage: unary('GetLineage', logger, (request) => timeTravel.getLineage(request)),
  };
}
