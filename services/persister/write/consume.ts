// The partition's pull loop: ordered consumer from the DuckDB watermark, batches, one transaction each.
import { randomBytes } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, QueuedIterator, Status } from '@nats-io/nats-core';
import type { Subjects } from '../../common/subjects.js';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { batchTraceContext, inSpan, type Logger } from '../../common/telemetry.js';
import type { LagSource, PersisterMetrics } from '../../common/instruments.js';
import { batchesOf } from './batches.js';
import type { StoredMessage, WireMessage } from './batch-rows.js';
import { WIRE_FIELDS } from '../../common/wire/fields.js';
import { repeatedFieldOffsets, WireReader } from '../../common/wire/reader.js';
import type { PartitionStore, PreparedBatch } from './partition-store.js';

export interface ConsumeOptions {
  streamName: string;
  partition: number;
  maxBatchEvents: number;
  flushIntervalMs: number;
  /** Messages the client buffers ahead of the writer. */
  bufferMessages: number;
  signal: AbortSignal;
  tracer: Tracer;
  /** Called after every committed batch (health, metrics, tests). */
  onCommitted?: (watermark: number, events: number) => void;
  /** Called while a failing write is being retried. */
  onWriteFailure?: (error: unknown) => void;
  /** Batch sizes and commit times; lag is read from `lag`. */
  metrics?: PersisterMetrics;
  /** Kept current by the pull loop, for the lag gauge. */
  lag?: ConsumerLag;
}

/**
 * The partition's lag as the gauge reads it when scraped: the consumer's pending count (asked of
 * the server, so it grows while the writer is stuck), plus the messages the client buffered, plus
 * those taken by the writer and not yet committed. The pull loop only counts; the server is asked
 * at scrape time, not per message.
 */
export class ConsumerLag implements LagSource {
  private consumer?: Consumer;
  private buffered: () => number = () => 0;
  /** Messages the writer took from the client's buffer in this pass. */
  taken = 0;
  /** Messages committed in this pass. */
  committed = 0;

  constructor(private readonly store: { readonly watermark: number }) {}

  /** A new pass starts from the watermark: nothing is in hand. */
  restart(consumer?: Consumer, buffered: () => number = () => 0): void {
    this.consumer = consumer;
    this.buffered = buffered;
    this.taken = 0;
    this.committed = 0;
  }

  async lag(): Promise<number | undefined> {
    if (!this.consumer) return undefined;
    try {
      const info = await this.consumer.info();
      return info.num_pending + this.buffered() + Math.max(0, this.taken - this.committed);
    } catch {
      // NATS is away: no reading rather than a wrong one.
      return undefined;
    }
  }

  watermark(): number {
    return this.store.watermark;
  }
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

const RESTART_PAUSE_MS = 500;

/**
 * Consumes the partition's subjects from watermark + 1 until the signal aborts. The DuckDB
 * watermark, not a consumer ack floor, is the position: after any crash we restart from it, and
 * rows and watermark commit together, so every message is stored exactly once. Whenever a pass
 * ends (a NATS reconnect, a consumer that failed), the next starts from the watermark again with
 * a new ordered consumer.
 */
export async function consumePartition(nc: NatsConnection, store: PartitionStore, subjects: Subjects, logger: Logger, options: ConsumeOptions): Promise<void> {
  while (!options.signal.aborted) {
    try {
      await consumeOnce(nc, store, subjects, logger, options);
    } catch (error) {
      if (options.signal.aborted) break;
      logger.warn('consumer stopped; restarting from the watermark', { error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, RESTART_PAUSE_MS));
    }
  }
}

/** One ordered consumer from watermark + 1, until the signal aborts, NATS reconnects or the consumer fails. */
async function consumeOnce(nc: NatsConnection, store: PartitionStore, subjects: Subjects, logger: Logger, options: ConsumeOptions): Promise<void> {
  await alignStream(nc, options.streamName, store.watermark, logger);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(options.streamName, {
    // Unique per start: a crashed process leaves its ordered consumer on the server until it goes
    // inactive (5 minutes), and re-creating that name from another start sequence is refused.
    name_prefix: `runlog_persister_${options.partition}_${randomBytes(6).toString('hex')}`,
    filter_subjects: subjects.partitionEvents(options.partition),
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: store.watermark + 1,
  });
  const messages = await consumer.consume({ max_messages: options.bufferMessages });
  const lag = options.lag;
  lag?.restart(consumer, () => messages.getPending());
  const stop = () => messages.stop();
  options.signal.addEventListener('abort', stop, { once: true });
  logger.info('consuming', { partition: options.partition, from_seq: store.watermark + 1 });
  // After a reconnect nats.js re-checks its consumer with a back-off as long as the pull expiry
  // (30 s), and a restarted nats-server's JetStream answers nothing at first: the partition would
  // stall that long. Ending this pass starts the next from the watermark, at once and exactly.
  const status = nc.status() as QueuedIterator<Status>;
  void (async () => {
    for await (const event of status) {
      if (event.type !== 'reconnect') continue;
      logger.info('NATS reconnected; consuming again from the watermark', { partition: options.partition });
      stop();
    }
  })();

  const decoded = (async function* () {
    const reader = new WireReader();
    for await (const message of messages) {
      if (lag) lag.taken++;
      yield storedMessage(message, reader, logger);
    }
  })();
  // The batch being written: the next one is gathered and decoded meanwhile (its commit is mostly
  // DuckDB's own work, off this thread), and written only once this one committed.
  let writing: Promise<number | null> = Promise.resolve(0);
  try {
    for await (const batch of batchesOf(decoded, { maxWeight: options.maxBatchEvents, maxWaitMs: options.flushIntervalMs, weight: eventCount })) {
      const prepared = store.prepare(batch, (seq, error) => logger.error('skipping undecodable message', { seq, error: String(error) }));
      if ((await writing) === null) return;
      const { parent, links } = batchTraceContext(batch.map((message) => message.traceparent));
      const attributes = { 'runlog.partition': options.partition, 'runlog.messages': batch.length, 'runlog.first_seq': batch[0].seq, 'runlog.last_seq': batch[batch.length - 1].seq };
      const startedAt = performance.now();
      writing = inSpan(options.tracer, 'runlog.persister.batch', parent, attributes, () => writeWithRetry(store, prepared, batch[0].seq, logger, options), SpanKind.CONSUMER, links).then((events) => {
        if (events !== null) {
          options.metrics?.committed(events, startedAt);
          if (lag) lag.committed += batch.length;
          options.onCommitted?.(store.watermark, events);
        }
        return events;
      });
      // Awaited when the next batch is ready; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
    }
  } finally {
    // Never end the pass (the next starts from the watermark) while a write is still running.
    await writing.catch(() => undefined);
    options.signal.removeEventListener('abort', stop);
    status.stop();
    lag?.restart();
  }
}

/** The message as the writer takes it: its bytes, and where its events lie in them (decoded when written). */
function storedMessage(message: JsMsg, reader: WireReader, logger: Logger): StoredMessage | WireMessage {
  const ingestMicros = BigInt(message.info.timestampNanos) / 1000n;
  const traceparent = message.headers?.get('traceparent') || undefined;
  const slices = repeatedFieldOffsets(message.data, WIRE_FIELDS.eventBatch.events, reader);
  if (slices) return { seq: message.seq, ingestMicros, data: message.data, slices, traceparent };
  // Only ingest publishes here; anything else on the subject is skipped, never allowed to stall the partition.
  logger.error('skipping undecodable message', { seq: message.seq, subject: message.subject });
  return { seq: message.seq, ingestMicros, events: [], traceparent };
}

const eventCount = (message: StoredMessage | WireMessage) => ('events' in message ? message.events.length : message.slices.length / 2);

/** Writes until it succeeds (nothing is acked or skipped meanwhile); null when stopped first. */
async function writeWithRetry(store: PartitionStore, batch: PreparedBatch, firstSeq: number, logger: Logger, options: ConsumeOptions): Promise<number | null> {
  let delay = RETRY_MIN_MS;
  for (;;) {
    try {
      return await store.write(batch);
    } catch (error) {
      options.metrics?.writeFailed();
      options.onWriteFailure?.(error);
      logger.error('batch write failed; retrying', { partition: options.partition, first_seq: firstSeq, retry_in_ms: delay, error: String(error) });
      if (options.signal.aborted) return null;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (options.signal.aborted) return null;
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

/**
 * A stream whose last sequence is below the watermark was re-created under this DuckDB file: its
 * new messages would get sequences the watermark already covers, and be skipped. An empty stream is
 * moved past the watermark (a purge sets its next sequence); a non-empty one is refused loudly.
 */
export async function alignStream(nc: NatsConnection, streamName: string, watermark: number, logger: Logger): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(streamName);
  if (state.last_seq >= watermark) return;
  if (state.messages > 0) {
    throw new Error(
      `stream ${streamName} ends at sequence ${state.last_seq}, below this store's watermark ${watermark}, and holds messages: ` +
        'it was re-created under an existing store. Store its events first, or move the DuckDB file aside.',
    );
  }
  await jsm.streams.purge(streamName, { seq: watermark + 1 });
  logger.warn('stream was behind the store; moved its next sequence past the watermark', { stream: streamName, watermark });
}
