// Writes numbered log events (events.ts numberedLog) for a set of runs, batched and optionally paced, as concurrent agents would.
import { numberedLog, type Event } from './events.js';
import { append } from './ingest-client.js';
import { connect } from '@nats-io/transport-node';
import { PersisterClient } from '../../services/query/persister-client.js';
import { Subjects } from '../../services/common/subjects.js';
import type { Cluster } from './cluster.js';
import { sleep, waitUntil } from './wait.js';
import type { IngestServiceClient } from '../../services/common/gen/runlog/v1/IngestService.js';

export interface RunRef {
  workflowId: string;
  runId: string;
}

export interface NumberedWrite {
  runs: readonly RunRef[];
  /** Events each run gets: n = from, from + 1, …, from + count - 1. */
  count: number;
  from?: number;
  /** Events per Append request (default 1,000). */
  perRequest?: number;
  /** Agents sending at once; each owns every `senders`-th run, so a run's events keep their order. */
  senders?: number;
  /** Pause of each agent between its requests, to make the writing last (default none). */
  pauseMs?: number;
  /** Called after each acked request with the number of events it carried. */
  onAcked?: (events: number) => void;
  /** Characters of each event's message (default 100). */
  messageLength?: number;
  /** Awaited before each request: lets a test hold the writing back until it is ready for more. */
  beforeRequest?: () => Promise<void>;
}

/** Sends every event and resolves once all are acked; rejects on the first failed request. */
export async function writeNumbered(client: IngestServiceClient, spec: NumberedWrite): Promise<void> {
  const from = spec.from ?? 0;
  const senders = Math.min(spec.senders ?? 1, spec.runs.length);
  const perRequest = spec.perRequest ?? 1000;
  const sender = async (s: number) => {
    const owned = spec.runs.filter((_, i) => i % senders === s);
    const perRunPerRequest = Math.max(1, Math.floor(perRequest / owned.length));
    for (let first = from; first < from + spec.count; first += perRunPerRequest) {
      await spec.beforeRequest?.();
      const last = Math.min(first + perRunPerRequest, from + spec.count);
      const events: Event[] = [];
      for (let n = first; n < last; n++) for (const run of owned) events.push(numberedLog(run.workflowId, run.runId, n, spec.messageLength));
      await append(client, { events }, 30_000);
      spec.onAcked?.(events.length);
      if (spec.pauseMs) await sleep(spec.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: senders }, (_, s) => sender(s)));
}

/**
 * Resolves once the persister owning the run's workflow has committed every message of that workflow
 * the stream held when called: its events are then in DuckDB (QueryLogs alone would not tell, as it
 * also answers from the stream's unstored tail).
 */
export async function waitUntilStored(cluster: Pick<Cluster, 'natsUrl' | 'partitions'>, run: RunRef, timeoutMs = 60_000): Promise<void> {
  const nc = await connect({ servers: cluster.natsUrl });
  try {
    const reader = new PersisterClient(nc, new Subjects('runlog', cluster.partitions), 'RUNLOG', 5000);
    const seq = await reader.latestSeq(run.workflowId);
    // A read with minSeq is answered once the watermark reached it, or fails after the persister's own limit: ask again.
    await waitUntil(
      () => reader.ask(reader.partitionOf(run.workflowId), { op: 'watermark', minSeq: seq }),
      () => true,
      { timeoutMs, what: `${run.workflowId}/${run.runId} stored up to stream sequence ${seq}` },
    );
  } finally {
    await nc.close();
  }
}
