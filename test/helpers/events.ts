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
 * of message (or `messageLength`), like an agent's: the crash and restart tests count and order by `n`.
 */
export function numberedLog(workflowId: string, runId: string, n: number, messageLength = 100): Event {
  return logEvent(workflowId, runId, {
    message: `run ${runId} line ${n} `.padEnd(messageLength, '.'),
    attributes: { n: String(n) },
  });
}

/** Workflow and run ids for `runs` runs spread over `workflows` workflows. */
export function runIds(runs: number, workflows: number): { workflowId: string; runId: string }[] {
  return Array.from({ length: runs }, (_, i) => ({ workflowId: `wf-${i % workflows}`, runId: `run-${i}` }));
}

const LEVELS = ['LOG_LEVEL_TRACE', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_ERROR', 'LOG_LEVEL_FATAL'] as const;

/** Log records that set every field, in turn with empty ones, short and long text, and text beyond ASCII. */
export function variedLogs(workflowId: string, runId: string, count: number): Event[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 9
      ? logEvent(workflowId, runId, { level: LEVELS[i % LEVELS.length] })
      : logEvent(workflowId, runId, {
          taskName: i % 3 === 0 ? '' : `task-${i % 4}`,
          taskInstanceId: i % 3 === 0 ? '' : `task-${i % 4}#${i}`,
          // Before 1970 too: negative seconds are ten bytes on the wire.
          time: i % 7 === 0 ? { seconds: String(-1_000_000_000 - i), nanos: 123_000 * i } : timestampOfMicros(1_700_000_000_000_000n + BigInt(i) * 1_234_567n),
          level: LEVELS[i % LEVELS.length],
          message: i % 2 === 0 ? `short ${i}` : `über ß 🎉 line ${i} `.padEnd(300 + i, 'x'),
          attributes: i % 4 === 0 ? {} : { n: String(i), 'schlüssel': 'wert ✓', empty: '' },
          traceId: i % 5 === 0 ? '' : '0123456789abcdef0123456789abcdef',
          spanId: i % 5 === 0 ? '' : '0123456789abcdef',
        }),
  );
}
