// The series each service records, named once here (docs/OPERATIONS.md lists them): recorded per request, message or batch, never per event.
import { status, type ServiceDefinition, type UntypedServiceImplementation, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { RpcError } from './grpc-errors.js';
import { metrics as metricsApi, type Attributes, type Counter, type Histogram, type Meter, type UpDownCounter } from '@opentelemetry/api';

/**
 * Names as the OpenTelemetry instruments have them; Prometheus shows them with `_total` added
 * to counters and `_bucket`, `_sum`, `_count` to histograms.
 */
export const METRIC = {
  ingestRequests: 'runlog_ingest_requests',
  ingestEvents: 'runlog_ingest_events',
  ingestBytes: 'runlog_ingest_bytes',
  publishSeconds: 'runlog_jetstream_publish_seconds',
  rejectedRequests: 'runlog_rejected_requests',
  persisterLag: 'runlog_persister_lag_messages',
  persisterWatermark: 'runlog_persister_watermark',
  persisterBatchEvents: 'runlog_persister_batch_events',
  persisterCommitSeconds: 'runlog_persister_commit_seconds',
  persisterStoredEvents: 'runlog_persister_stored_events',
  persisterWriteFailures: 'runlog_persister_write_failures',
  queryRpcSeconds: 'runlog_query_rpc_seconds',
  activeSubscriptions: 'runlog_query_active_subscriptions',
  slowSubscriberCancellations: 'runlog_query_slow_subscriber_cancellations',
} as const;

// Latencies from half a millisecond (a publish ack on loopback) to ten seconds (a stalled store).
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_EVENTS_BUCKETS = [1, 10, 100, 1000, 2500, 5000, 10_000, 20_000, 50_000];

/** The status codes that mean the request was refused (the client's doing or a limit), not that the service failed. */
const REJECTIONS = new Set<number>([
  status.INVALID_ARGUMENT,
  status.RESOURCE_EXHAUSTED,
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
]);

/** "ok", or the status code's name in lower case ("invalid_argument"): the outcome label. */
export function outcomeOf(code: number): string {
  return code === status.OK ? 'ok' : (status[code] ?? 'unknown').toLowerCase();
}

/** The status code a thrown value is answered with (see toServiceError), without building the answer. */
export function statusCodeOf(error: unknown): number {
  return error instanceof RpcError ? error.code : status.INTERNAL;
}

export function isRejection(code: number): boolean {
  return REJECTIONS.has(code);
}

/**
 * Attribute objects are made once per label set and reused: the SDK keys its series by them,
 * and a hot path should not allocate one per call.
 */
class AttributeCache {
  private readonly cache = new Map<string, Attributes>();

  constructor(private readonly make: (key: string) => Attributes) {}

  get(key: string): Attributes {
    let attributes = this.cache.get(key);
    if (!attributes) this.cache.set(key, (attributes = this.make(key)));
    return attributes;
  }
}

/** Requests refused, by service, RPC and reason (the status code); what an operator alerts on besides lag. */
export class RejectionMetrics {
  private readonly counter: Counter;
  private readonly attributes: AttributeCache;

  constructor(meter: Meter, service: string) {
    this.counter = meter.createCounter(METRIC.rejectedRequests, { description: 'requests refused, by service, rpc and reason (the gRPC status code)' });
    this.attributes = new AttributeCache((key) => {
      const [rpc, reason] = key.split(' ');
      return { service, rpc, reason };
    });
  }

  /** Counts the answer when its code is a rejection; other codes are not counted here. */
  record(rpc: string, code: number): void {
    if (isRejection(code)) this.counter.add(1, this.attributes.get(`${rpc} ${outcomeOf(code)}`));
  }
}

export class IngestMetrics {
  private readonly requests: Counter;
  private readonly events: Counter;
  private readonly bytes: Counter;
  private readonly rejections: RejectionMetrics;
  private readonly byMethodOutcome = new AttributeCache((key) => {
    const [method, outcome] = key.split(' ');
    return { method, outcome };
  });
  private readonly byOutcome = new AttributeCache((outcome) => ({ outcome }));

  constructor(meter: Meter = metricsApi.getMeter('runlog-ingest')) {
    this.requests = meter.createCounter(METRIC.ingestRequests, { description: 'Append requests (one per request of an AppendStream), by method and outcome' });
    this.events = meter.createCounter(METRIC.ingestEvents, { description: 'events in Append requests, by outcome' });
    this.bytes = meter.createCounter(METRIC.ingestBytes, { description: 'bytes of Append requests on the wire, by outcome', unit: 'By' });
    this.rejections = new RejectionMetrics(meter, 'ingest');
  }

  /** One answered request: `outcome` is "ok", "duplicate" (a retry already stored) or a status code's name. */
  append(method: string, outcome: string, events: number, bytes: number, code = status.OK): void {
    const attributes = this.byOutcome.get(outcome);
    this.requests.add(1, this.byMethodOutcome.get(`${method} ${outcome}`));
    this.events.add(events, attributes);
    this.bytes.add(bytes, attributes);
    this.rejections.record(method, code);
  }
}

/** JetStream publish latency (publish to ack) of each message, by outcome. */
export class PublishMetrics {
  private readonly seconds: Histogram;
  private readonly ok: Attributes = { outcome: 'ok' };
  private readonly failed: Attributes = { outcome: 'failed' };

  constructor(meter: Meter = metricsApi.getMeter('runlog-publish')) {
    this.seconds = meter.createHistogram(METRIC.publishSeconds, {
      description: 'time from publishing one JetStream message to its ack, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
  }

  /** `startedAt` from performance.now(). */
  published(startedAt: number, ok: boolean): void {
    this.seconds.record((performance.now() - startedAt) / 1000, ok ? this.ok : this.failed);
  }
}

/** What the persister's lag gauge reads when scraped. */
export interface LagSource {
  /** Messages of the partition not yet committed; undefined while unknown (not consuming yet). */
  lag(): Promise<number | undefined>;
  watermark(): number;
}

export class PersisterMetrics {
  private readonly batchEvents: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly storedEvents: Counter;
  private readonly writeFailures: Counter;
  private readonly attributes: Attributes;

  constructor(meter: Meter, partition: number, source: LagSource) {
    this.attributes = { partition: String(partition) };
    this.batchEvents = meter.createHistogram(METRIC.persisterBatchEvents, {
      description: 'events per committed DuckDB transaction',
      advice: { explicitBucketBoundaries: BATCH_EVENTS_BUCKETS },
    });
    this.commitSeconds = meter.createHistogram(METRIC.persisterCommitSeconds, {
      description: 'time to write and commit one batch (its retries included)',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.storedEvents = meter.createCounter(METRIC.persisterStoredEvents, { description: 'events committed to DuckDB' });
    this.writeFailures = meter.createCounter(METRIC.persisterWriteFailures, { description: 'failed batch writes (each is retried)' });
    const lag = meter.createObservableGauge(METRIC.persisterLag, {
      description: 'messages of the partition in the stream and not yet committed to DuckDB (the consumer pending plus those in hand)',
    });
    const watermark = meter.createObservableGauge(METRIC.persisterWatermark, { description: 'highest stream sequence committed to DuckDB' });
    const attributes = this.attributes;
    lag.addCallback(async (result) => {
      const value = await source.lag();
      if (value !== undefined) result.observe(value, attributes);
    });
    watermark.addCallback((result) => result.observe(source.watermark(), attributes));
  }

  /** `startedAt` from performance.now(). */
  committed(events: number, startedAt: number): void {
    this.batchEvents.record(events, this.attributes);
    this.commitSeconds.record((performance.now() - startedAt) / 1000, this.attributes);
    this.storedEvents.add(events, this.attributes);
  }

  writeFailed(): void {
    this.writeFailures.add(1, this.attributes);
  }
}

export class QueryMetrics {
  private readonly seconds: Histogram;
  private readonly active: UpDownCounter;
  private readonly slowCancellations: Counter;
  private readonly rejections: RejectionMetrics;
  private readonly byRpcCode = new AttributeCache((key) => {
    const [rpc, code] = key.split(' ');
    return { rpc, code };
  });
  private readonly none: Attributes = {};

  constructor(meter: Meter = metricsApi.getMeter('runlog-query')) {
    this.seconds = meter.createHistogram(METRIC.queryRpcSeconds, {
      description: 'time to answer a unary QueryService or StateService call, by rpc and outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.active = meter.createUpDownCounter(METRIC.activeSubscriptions, { description: 'Subscribe calls open now' });
    this.slowCancellations = meter.createCounter(METRIC.slowSubscriberCancellations, {
      description: 'subscriptions ended with RESOURCE_EXHAUSTED because the client read too slowly',
    });
    this.rejections = new RejectionMetrics(meter, 'query');
  }

  /** One answered unary call; `startedAt` from performance.now(). */
  answered(rpc: string, code: number, startedAt: number): void {
    this.seconds.record((performance.now() - startedAt) / 1000, this.byRpcCode.get(`${rpc} ${outcomeOf(code)}`));
    this.rejections.record(rpc, code);
  }

  subscriptionOpened(): void {
    this.active.add(1, this.none);
  }

  /** A subscription ended with `code` (OK when it ended normally or the client went away). */
  subscriptionClosed(code: number): void {
    this.active.add(-1, this.none);
    this.rejections.record('Subscribe', code);
  }

  slowSubscriberCancelled(): void {
    this.slowCancellations.add(1, this.none);
  }
}

/**
 * The service's implementation with each unary handler timed: from the call's arrival to its
 * answer, labelled by rpc and status code. Streaming handlers are left as they are.
 */
export function measuredUnaryCalls<T extends UntypedServiceImplementation>(definition: ServiceDefinition, implementation: T, metrics: QueryMetrics): T {
  const measured: UntypedServiceImplementation = { ...implementation };
  for (const [rpc, method] of Object.entries(definition)) {
    const handler = implementation[rpc];
    if (method.requestStream || method.responseStream || typeof handler !== 'function') continue;
    const unaryHandler = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
    measured[rpc] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const startedAt = performance.now();
      unaryHandler.call(implementation, call, (error: Partial<ServiceError> | null, ...rest: unknown[]) => {
        metrics.answered(rpc, error ? (error.code ?? status.UNKNOWN) : status.OK, startedAt);
        (callback as (error: Partial<ServiceError> | null, ...rest: unknown[]) => void)(error, ...rest);
      });
    };
  }
  return measured as T;
}
