// Builders of runlog.v1 events for tests: short to write, every field reachable.
import type { Event } from '../../services/common/gen/runlog/v1/Event.js';
import type { LogRecord } from '../../services/common/gen/runlog/v1/LogRecord.js';
import type { Timestamp } from '../../services/common/gen/google/protobuf/Timestamp.js';

export type { Event };

/** A Timestamp from microseconds since the epoch (DuckDB's resolution). */
export function timestampOfMicros(micros: bigint): Timestamp {
  return { seconds: String(micros / 1_000_000n), nanos: Number(micros % 1_000_000n) * 1000 };
}

export function logEvent(workflowId: string, runId: string, log: LogRecord = {}): Event {
  return { workflowId, runId, log: { level: 'LOG_LEVEL_INFO', ...log } };
}

/**
 * A log line that carries its place in the run (`n`, also in the attributes) and about 100 bytes
 * of message, like an agent's: the crash and restart tests count and order by `n`.
 */
export function numberedLog(workflowId: string, runId: string, n: number): Event {
  return logEvent(workflowId, runId, {
    message: `run ${runId} line ${n} `.padEnd(100, '.'),
    attributes: { n: String(n) },
  });
}

/** Workflow and run ids for `runs` runs spread over `workflows` workflows. */
export function runIds(runs: number, workflows: number): { workflowId: string; runId: string }[] {
  return Array.from({ length: runs }, (_, i) => ({ workflowId: `wf-${i % workflows}`, runId: `run-${i}` }));
}
