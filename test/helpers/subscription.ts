// Subscribe from a test: a stream that records what it received and its final status, and the exactly-once, in-order check of numbered events.
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { SubscribeRequest } from '../../services/common/gen/runlog/v1/SubscribeRequest.js';
import type { SubscribeResponse__Output } from '../../services/common/gen/runlog/v1/SubscribeResponse.js';
import type { QueryServiceClient, StoredEvent__Output } from './query-client.js';
import { sleep } from './wait.js';

export interface StreamStatus {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

export interface SubscribeOptions {
  /** Called with each event as it arrives (before it is counted). */
  onEvent?: (event: StoredEvent__Output) => void;
  /** Keep every event in `events`; off for the large subscriptions, which check as they go. */
  keep?: boolean;
  /** A gRPC deadline for the whole stream: a server that never answers then ends it with DEADLINE_EXCEEDED. */
  deadlineMs?: number;
}

/** One open Subscribe call. */
export class Subscription {
  /** The events received, in order (when kept). */
  readonly events: StoredEvent__Output[] = [];
  /** The final status, once the stream has ended and every event before it was delivered. */
  readonly ended: Promise<StreamStatus>;
  private count = 0;
  private cursor = '';
  private finalStatus?: StreamStatus;
  private cancelled = false;

  constructor(
    readonly call: grpc.ClientReadableStream<SubscribeResponse__Output>,
    options: SubscribeOptions = {},
  ) {
    const keep = options.keep ?? true;
    call.on('data', (message: SubscribeResponse__Output) => {
      // What arrives after cancel() was not "received" by this client: a reconnect starts after the last counted one.
      if (this.cancelled || !message.event) return;
      options.onEvent?.(message.event);
      if (keep) this.events.push(message.event);
      this.count++;
      this.cursor = message.event.cursor;
    });
    // grpc-js emits the status as soon as it arrives, possibly before buffered events are read:
    // the stream has ended for the test only when both happened.
    const status = new Promise<StreamStatus>((resolve) => call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details, metadata: s.metadata })));
    const drained = new Promise<void>((resolve) => {
      call.on('end', resolve);
      call.on('close', resolve);
    });
    call.on('error', () => undefined); // reported through 'status'
    this.ended = Promise.all([status, drained]).then(([s]) => (this.finalStatus = s));
  }

  received(): number {
    return this.count;
  }

  /** The cursor of the last event received; '' before the first. */
  lastCursor(): string {
    return this.cursor;
  }

  /** Waits until `count` events arrived; fails at once if the stream ends first. */
  async waitForCount(count: number, timeoutMs = 120_000, what = `${count} events`): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < count) {
      if (this.finalStatus) throw new Error(`the subscription ended with ${describeStatus(this.finalStatus)} after ${this.count} events, before ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.count} received`);
      await sleep(10);
    }
  }

  /** Stops reading: gRPC flow control then holds the server back. */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  /** Cancels the call as a client that goes away does; resolves with the final status (CANCELLED). */
  async cancel(): Promise<StreamStatus> {
    this.cancelled = true;
    this.call.cancel();
    this.call.resume();
    return this.ended;
  }
}

export function subscribe(client: QueryServiceClient, request: SubscribeRequest, options?: SubscribeOptions): Subscription {
  const callOptions = options?.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
  return new Subscription(client.Subscribe(request, callOptions), options);
}

/** Consumers on the stream that serve live subscriptions: every one but the persisters' own. */
export async function subscriptionConsumers(jsm: JetStreamManager, stream = 'RUNLOG'): Promise<number> {
  const consumers = await jsm.consumers.list(stream).next();
  return consumers.filter((consumer) => !consumer.name.startsWith('runlog_persister_')).length;
}

export function describeStatus(status: StreamStatus): string {
  return `status ${status.code} (${status.details})`;
}

const runKey = (workflowId: string, runId: string) => `${workflowId}/${runId}`;

/**
 * Checks numbered log events (events.ts numberedLog) as they arrive, over one subscription or
 * several consecutive ones: per run, n must go 0, 1, 2, … with nothing missing or repeated.
 */
export class NumberedRuns {
  private readonly next = new Map<string, number>();
  private readonly problems: string[] = [];
  private problemCount = 0;
  total = 0;

  /** The run's first event due is n (a subscription that resumes after n - 1). */
  expectFrom(workflowId: string, runId: string, n: number): this {
    this.next.set(runKey(workflowId, runId), n);
    return this;
  }

  accept(stored: StoredEvent__Output): void {
    this.total++;
    const event = stored.event;
    if (!event || event.kind !== 'log') return this.problem(`not a numbered log: ${JSON.stringify(event)?.slice(0, 200)}`);
    const key = runKey(event.workflowId, event.runId);
    const n = Number(event.log?.attributes.n);
    const expected = this.next.get(key) ?? 0;
    if (n !== expected) this.problem(`${key}: got n=${n} where n=${expected} was due`);
    this.next.set(key, Math.max(expected, n + 1));
  }

  /**
   * Every run of `expected` reached exactly its count (n = count - 1 was the last), in order, no
   * other run got any, and `total` events arrived (default: the sum of the counts).
   */
  assertComplete(expected: Map<string, number> | { workflowId: string; runId: string; count: number }[], total?: number): void {
    const want = expected instanceof Map ? expected : new Map(expected.map((run) => [runKey(run.workflowId, run.runId), run.count]));
    for (const [key, count] of want) {
      const got = this.next.get(key) ?? 0;
      if (got !== count) this.problem(`${key}: ${got} events, want ${count}`);
    }
    for (const key of this.next.keys()) if (!want.has(key)) this.problem(`${key}: not asked for`);
    assert.deepEqual(this.problems, [], `${this.problemCount} problems (first ${this.problems.length} shown)`);
    assert.equal(this.total, total ?? [...want.values()].reduce((sum, count) => sum + count, 0), 'events received in total');
  }

  private problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < 20) this.problems.push(text);
  }
}
