// Figures: live tail latency (Append ack → subscriber receives) and time-to-queryable (Append ack → QueryLogs returns it) under 20,000 records/s.
//
// A persister, ingest and query service run as child processes; a load client (another child)
// sends a steady 20,000 records/s through ingest's AppendStream the whole time. This process sends
// probe records to a workflow of their own with Append, so the ack and the arrival are read on one
// clock, in two phases:
//   1. Tail: one Subscribe on the probe workflow (only new events); probes at 50/s, not waiting for
//      each other. Latency = arrival on the subscription − Append's ack. The stream may deliver a
//      probe before ingest's ack reaches us: that counts as 0 ms (the subscriber had it when the
//      client learnt it was stored), and how often it happened is in the details.
//   2. Time-to-queryable: one probe at a time, each in a run of its own; after its ack, QueryLogs
//      for that run is asked again and again (the next question as soon as the last answer came)
//      until the record is in the answer. Latency = that answer's arrival − the ack.
// Services run with their defaults (the persister flushes a partial batch after 20 ms).
import { loadavg } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { SubscribeResponse__Output } from '../services/common/gen/runlog/v1/SubscribeResponse.js';
import { Subjects } from '../services/common/subjects.js';
import { millisToTimestamp } from '../services/common/values.js';
import { PersisterClient } from '../services/query/persister-client.js';
import { append, ingestClient } from '../test/helpers/ingest-client.js';
import { queryClient, queryLogs } from '../test/helpers/query-client.js';
import { runLoadClient } from './end-to-end.js';
import { cpuMeter, envNumber, round, startServices, type FigureScript } from './harness.js';
import { latencyFigures, latencySummary } from './latency.js';

const STREAM = 'BENCH_READ';
const PREFIX = 'benchread';
const PROBE_WORKFLOW = 'bench-read-probe';
// How long the load runs before the first phase, so every process is past its start-up.
const SETTLE_MS = 3000;
// How long a probe may take to arrive before the figure fails.
const GIVE_UP_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function probe(runId: string, message: string) {
  return {
    workflowId: PROBE_WORKFLOW,
    runId,
    log: { taskName: 'probe', taskInstanceId: 'probe#1', time: millisToTimestamp(Date.now()), level: 'LOG_LEVEL_INFO' as const, message },
  };
}

/** Phase 1: probes at `rate`/s for `seconds` to one subscriber; ack → arrival of each, in ms. */
async function measureTail(ingest: ReturnType<typeof ingestClient>, query: ReturnType<typeof queryClient>, rate: number, seconds: number) {
  const sentAt = new Map<number, number>();
  const ackAt = new Map<number, number>();
  const arrivedAt = new Map<number, number>();
  const call: ClientReadableStream<SubscribeResponse__Output> = query.Subscribe({ filter: { workflowId: PROBE_WORKFLOW, runId: 'tail' } });
  let failed: Error | undefined;
  call.on('error', (error) => {
    if ((error as ServiceError).code !== status.CANCELLED) failed = error;
  });
  call.on('data', (message: SubscribeResponse__Output) => {
    const n = Number(/^tail (-?\d+)$/.exec(message.event?.event?.log?.message ?? '')?.[1]);
    if (!arrivedAt.has(n)) arrivedAt.set(n, performance.now());
  });
  try {
    // An only-new subscription starts at the stream's end when the call reaches the service: probe
    // -1 is sent until one copy arrives, so every timed probe is sent after that.
    for (let attempt = 0; !arrivedAt.has(-1); attempt++) {
      if (failed || attempt > GIVE_UP_MS / 100) throw new Error(`the subscription never received a probe: ${failed?.message ?? 'timeout'}`);
      await append(ingest, { requestId: `tail-ready-${attempt}`, events: [probe('tail', 'tail -1')] });
      await sleep(100);
    }
    const count = Math.round(rate * seconds);
    const startedAt = performance.now();
    const acks: Promise<void>[] = [];
    for (let n = 0; n < count; n++) {
      const due = startedAt + (n * 1000) / rate;
      if (due > performance.now()) await sleep(due - performance.now());
      sentAt.set(n, performance.now());
      acks.push(append(ingest, { requestId: `tail-${n}`, events: [probe('tail', `tail ${n}`)] }).then(() => void ackAt.set(n, performance.now())));
    }
    await Promise.all(acks);
    const deadline = performance.now() + GIVE_UP_MS;
    while (arrivedAt.size < count + 1 && performance.now() < deadline && !failed) await sleep(20);
    if (failed || arrivedAt.size < count + 1) throw new Error(`the subscriber received ${arrivedAt.size - 1} of ${count} probes: ${failed?.message ?? 'timeout'}`);
    const latencies = [...ackAt].map(([n, at]) => arrivedAt.get(n)! - at);
    return {
      latencies: latencies.map((ms) => Math.max(0, ms)),
      beforeAck: latencies.filter((ms) => ms < 0).length,
      sendToArrival: [...sentAt].map(([n, at]) => arrivedAt.get(n)! - at),
      sendToAck: [...sentAt].map(([n, at]) => ackAt.get(n)! - at),
    };
  } finally {
    call.cancel();
  }
}

/**
 * Phase 2: one probe at a time in its own run, polled with QueryLogs until it is there; ack → answer
 * with it, in ms. Probes start on a fixed schedule until `seconds` are over (a slow one delays the
 * next ones, never the end by more than itself), so the phase fits inside the background load.
 */
async function measureQueryable(ingest: ReturnType<typeof ingestClient>, query: ReturnType<typeof queryClient>, rate: number, seconds: number) {
  const latencies: number[] = [];
  // Wall-clock times of the slowest probes, to line them up with the persister's commits (its `applied` table).
  const slowest: { ackedAt: string; ms: number }[] = [];
  let polls = 0;
  const startedAt = performance.now();
  for (let n = 0; performance.now() < startedAt + seconds * 1000; n++) {
    const due = startedAt + (n * 1000) / rate;
    if (due > performance.now()) await sleep(due - performance.now());
    const runId = `queryable-${n}`;
    await append(ingest, { requestId: `queryable-${n}`, events: [probe(runId, `queryable ${n}`)] });
    const ackAt = performance.now();
    for (;;) {
      polls++;
      const { records } = await queryLogs(query, { filter: { workflowId: PROBE_WORKFLOW, runId }, pageSize: 1 });
      if (records.length > 0) break;
      if (performance.now() - ackAt > GIVE_UP_MS) throw new Error(`probe ${runId} was not queryable ${GIVE_UP_MS} ms after its ack`);
    }
    const ms = performance.now() - ackAt;
    latencies.push(ms);
    slowest.push({ ackedAt: new Date(Date.now() - ms).toISOString(), ms: round(ms, 1) });
    slowest.sort((a, b) => b.ms - a.ms).splice(5);
  }
  return { latencies, pollsPerProbe: round(polls / latencies.length, 1), slowest };
}

export const liveRead: FigureScript = {
  name: 'live-read',
  issue: 3,
  async measure(context) {
    const loadRate = envNumber('BENCH_READ_LOAD_RATE', 20_000);
    const tailRate = envNumber('BENCH_TAIL_RATE', 50);
    const tailSeconds = envNumber('BENCH_TAIL_SECONDS', 20);
    const queryableRate = envNumber('BENCH_QUERYABLE_RATE', 10);
    const queryableSeconds = envNumber('BENCH_QUERYABLE_SECONDS', 20);
    // Records per AppendStream request of the load: 20,000 records/s is then 200 requests/s.
    const loadBatch = envNumber('BENCH_READ_LOAD_BATCH', 100);
    const cluster = await startServices(context, { name: 'live-read', stream: STREAM, prefix: PREFIX, services: ['ingest', 'query'] });
    const { ingestAddress, processes } = cluster;
    const nc = await connect({ servers: await context.natsUrl() });
    const ingest = ingestClient(ingestAddress);
    const query = queryClient(cluster.queryAddress);
    try {

      // The load outlasts both phases: its client's clock starts before its first send, and each
      // phase may overrun by one late probe (at most GIVE_UP_MS).
      const loadSeconds = (SETTLE_MS + GIVE_UP_MS) / 1000 + tailSeconds + queryableSeconds + 5;
      context.progress(`background load ${loadRate} records/s (${loadBatch} per request) for up to ${loadSeconds}s; tail probes ${tailRate}/s for ${tailSeconds}s, then queryable probes ${queryableRate}/s for ${queryableSeconds}s`);
      const load = runLoadClient({ address: ingestAddress, seconds: loadSeconds, streams: 2, window: 8, batchEvents: loadBatch, clientIndex: 0, recordsPerSecond: loadRate });
      // Awaited below; if a phase fails first, the client ends on its own when the services stop.
      load.catch(() => undefined);
      const jsm = await jetstreamManager(nc);
      const lastSeq = async () => (await jsm.streams.info(STREAM)).state.last_seq;
      while ((await lastSeq()) === 0) await sleep(100);
      await sleep(SETTLE_MS);

      const reader = new PersisterClient(nc, new Subjects(PREFIX, 1), STREAM, 5000);
      const lagOf = async () => (await lastSeq()) - (await reader.ask(0, { op: 'watermark' })).result.watermark;
      const meter = cpuMeter({ 'nats-server': context.natsProcess()?.child.pid, ingest: processes.ingest?.child.pid, persister: processes.persister?.child.pid, query: processes.query?.child.pid });
      const loadBefore = round(loadavg()[0], 2);
      const phaseStart = Date.now();
      const tail = await measureTail(ingest, query, tailRate, tailSeconds);
      const lagAfterTail = await lagOf();
      const queryable = await measureQueryable(ingest, query, queryableRate, queryableSeconds);
      const lagAfterQueryable = await lagOf();
      const phaseEnd = Date.now();
      const coresUsed = meter.stop();

      const loaded = await load;
      if (loaded.errors.length > 0) throw new Error(`the load client saw errors: ${loaded.errors.slice(0, 3).join('; ')}`);
      if (loaded.firstSendAt > phaseStart || loaded.lastAckAt < phaseEnd) throw new Error('the background load did not cover both phases; raise its duration');
      const loadDetails = {
        records_per_s: round(loaded.records / ((loaded.lastAckAt - loaded.firstSendAt) / 1000)),
        asked_records_per_s: loadRate,
        records_per_request: loadBatch,
        ack_latency_ms: loaded.ackLatencyMs,
        persister_lag_messages: { after_tail: lagAfterTail, after_queryable: lagAfterQueryable },
      };
      return [
        ...latencyFigures('read.tail', `live tail: Append ack → subscriber, under ${loadRate.toLocaleString('en-US')} records/s`, tail.latencies, {
          target: { quantile: 'p99', bound: { atMost: 50 } },
          details: {
            arrived_before_ack: tail.beforeAck,
            send_to_arrival_ms: latencySummary(tail.sendToArrival),
            send_to_ack_ms: latencySummary(tail.sendToAck),
            probes_per_s: tailRate,
            load: loadDetails,
            cores_used_during_both_phases: coresUsed,
            // Other work on the machine (tests, other benches) shows here, and in the latencies.
            machine_load_average_1m: { before: loadBefore, after: round(loadavg()[0], 2) },
          },
        }),
        ...latencyFigures('read.time_to_queryable', `time to queryable: Append ack → QueryLogs has it, under ${loadRate.toLocaleString('en-US')} records/s`, queryable.latencies, {
          target: { quantile: 'p99', bound: { atMost: 250 } },
          details: { polls_per_probe: queryable.pollsPerProbe, slowest: queryable.slowest, probes_per_s: queryableRate },
        }),
      ];
    } finally {
      ingest.close();
      query.close();
      await cluster.stop();
      await nc.close();
    }
  },
};
