// Child process of the end-to-end and live-read figures: an agent sending log records through ingest's AppendStream, as fast as acks allow or paced.
// Requests are encoded once up front and only re-labelled per send, so this process spends its CPU on
// gRPC and leaves the 2 shared cores to the services being measured. Prints one JSON line on exit.
import * as grpc from '@grpc/grpc-js';
import { loadContract } from '../services/common/proto.js';
import type { AppendStreamResponse__Output } from '../services/common/gen/runlog/v1/AppendStreamResponse.js';
import { quantile, round } from './harness.js';
import { asAppendRequestEvents, encodeEventBatch, lengthDelimited, logEvents } from './workload.js';

export interface LoadClientConfig {
  address: string;
  /** How long to keep sending; requests in flight then finish. */
  seconds: number;
  /** Concurrent AppendStream calls, one workflow each. */
  streams: number;
  /** Requests sent and not yet answered, per stream. */
  window: number;
  /** Events per request. */
  batchEvents: number;
  /** Distinguishes this client's workflows and request ids from the other clients'. */
  clientIndex: number;
  /** Records per second over all streams, sent at an even pace (a background load); unset: as fast as acks allow. */
  recordsPerSecond?: number;
  /** The workflow of each stream (bench/scale.ts spreads them evenly over partitions); unset: bench-wf-<client>-<stream>. */
  workflowIds?: string[];
}

export interface LoadClientResult {
  records: number;
  requests: number;
  /** Wall clock (ms since the epoch) of the first send and the last ack. */
  firstSendAt: number;
  lastAckAt: number;
  ackLatencyMs: { p50: number; p99: number };
  /** CPU this process used from the first send to the end (it is gone before the bench could read /proc). */
  cpuSeconds: number;
  errors: string[];
}

// Distinct bodies per stream, cycled; each is one request's events.
const BODIES_PER_STREAM = 8;

type AppendStreamMethod = ReturnType<typeof loadContract>['proto']['runlog']['v1']['IngestService']['service']['AppendStream'];

/** One stream's request bodies, encoded before the clock starts. */
function prepareBodies(config: LoadClientConfig, stream: number): Buffer[] {
  const workflowId = config.workflowIds?.[stream] ?? `bench-wf-${config.clientIndex}-${stream}`;
  return Array.from({ length: BODIES_PER_STREAM }, (_, i) =>
    asAppendRequestEvents(encodeEventBatch(logEvents(workflowId, config.batchEvents, config.clientIndex * 1000 + stream * 100 + i))),
  );
}

async function runStream(
  client: grpc.Client,
  method: AppendStreamMethod,
  config: LoadClientConfig,
  stream: number,
  bodies: Buffer[],
  result: LoadClientResult,
  latencies: number[],
): Promise<void> {
  const call = client.makeBidiStreamRequest<Buffer, AppendStreamResponse__Output>(
    method.path,
    (bytes) => bytes, // already encoded
    (bytes) => method.responseDeserialize(bytes) as AppendStreamResponse__Output,
  );
  const deadline = Date.now() + config.seconds * 1000;
  const sentAt: number[] = [];
  let sent = 0;
  const sendOne = () => {
    // AppendStreamRequest{request: AppendRequest{request_id, events}}: fields may come in any order.
    const requestId = lengthDelimited(1, Buffer.from(`bench-${config.clientIndex}-${stream}-${sent}`));
    if (result.firstSendAt === 0) result.firstSendAt = Date.now();
    sentAt.push(performance.now());
    call.write(lengthDelimited(1, requestId, bodies[sent++ % bodies.length]));
  };
  await new Promise<void>((resolve) => {
    call.on('data', (message: AppendStreamResponse__Output) => {
      const accepted = message.response?.accepted ?? 0;
      if (accepted !== config.batchEvents) result.errors.push(`accepted ${accepted} of ${config.batchEvents}`);
      latencies.push(performance.now() - sentAt.shift()!);
      result.records += accepted;
      result.requests++;
      result.lastAckAt = Date.now();
      if (Date.now() >= deadline) {
        if (sentAt.length === 0) call.end();
      } else if (!config.recordsPerSecond) sendOne();
    });
    call.on('error', (error) => {
      result.errors.push(String(error));
      resolve();
    });
    call.on('end', resolve);
    if (!config.recordsPerSecond) {
      for (let i = 0; i < config.window; i++) sendOne();
      return;
    }
    // Paced: one request per interval while the window has room (a full window skips a beat).
    const intervalMs = (1000 * config.streams * config.batchEvents) / config.recordsPerSecond;
    let due = performance.now() + (intervalMs * stream) / config.streams;
    const tick = () => {
      if (Date.now() >= deadline) {
        if (sentAt.length === 0) call.end();
        return;
      }
      if (sentAt.length < config.window) sendOne();
      due += intervalMs;
      setTimeout(tick, Math.max(0, due - performance.now()));
    };
    setTimeout(tick, Math.max(0, due - performance.now()));
  });
}

async function main(config: LoadClientConfig): Promise<void> {
  const method = loadContract().proto.runlog.v1.IngestService.service.AppendStream;
  const bodies = Array.from({ length: config.streams }, (_, stream) => prepareBodies(config, stream));
  const client = new grpc.Client(config.address, grpc.credentials.createInsecure());
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  const result: LoadClientResult = { records: 0, requests: 0, firstSendAt: 0, lastAckAt: 0, ackLatencyMs: { p50: NaN, p99: NaN }, cpuSeconds: 0, errors: [] };
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  await Promise.all(bodies.map((streamBodies, stream) => runStream(client, method, config, stream, streamBodies, result, latencies)));
  client.close();
  const cpu = process.cpuUsage(cpuBefore);
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  result.ackLatencyMs = { p50: round(quantile(latencies, 0.5), 1), p99: round(quantile(latencies, 0.99), 1) };
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main(JSON.parse(process.argv[2]) as LoadClientConfig);
