// Publishes events to JetStream (ingest, and the state service for forks): one message per workflow, split at max payload, acked before success.
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { RpcError, resourceExhausted, unavailable } from './grpc-errors.js';
import { isStreamFull } from './nats-errors.js';
import type { EventBatchCodec } from './proto.js';
import type { Subjects } from './subjects.js';
import { context, trace, SpanKind, type Tracer } from '@opentelemetry/api';
import { inSpan, injectTraceContext } from './telemetry.js';
import { PublishMetrics } from './instruments.js';
import type { Event } from './gen/runlog/v1/Event.js';
import { duration, type Spec } from './config.js';

/** Settings of every service that publishes events (ingest, and query for forks and resumes). */
export const PUBLISH_SPEC = {
  publishTimeoutMs: { env: 'RUNLOG_PUBLISH_TIMEOUT', default: 5000, parse: duration, help: 'how long to wait for a JetStream ack' },
} satisfies Spec;

export interface PublishResult {
  requestId: string;
  accepted: number;
  /** Every message was already in the stream: the request is a retry. */
  duplicate: boolean;
  /** Highest stream sequence of the request's messages: reads passing it as minSeq see them. */
  lastSeq: number;
}

/** One JetStream message to publish: a slice of one workflow's events. */
interface Message {
  subject: string;
  msgId: string;
  data: Uint8Array;
}

// Room for the message's headers (Nats-Msg-Id, traceparent, Nats-Expected-Stream).
const HEADER_ALLOWANCE = 2048;

export class EventPublisher {
  private readonly js: JetStreamClient;
  private readonly tracer: Tracer = trace.getTracer('runlog-publish');

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly codec: EventBatchCodec,
    private readonly streamName: string,
    private readonly publishTimeoutMs: number,
    private readonly metrics = new PublishMetrics(),
  ) {
    this.js = jetstream(nc, { timeout: publishTimeoutMs });
  }

  /**
   * `eventBytes`, when given, holds each event's wire bytes (an encoded `Event`, as the agent sent
   * it): they are forwarded as they are instead of encoding the decoded events again.
   */
  async publish(requestId: string, events: readonly Event[], eventBytes?: readonly Uint8Array[], order = new SubjectOrder()): Promise<PublishResult> {
    const id = requestId || randomUUID();
    const messages = this.toMessages(id, events, eventBytes);
    const acks = await Promise.all(messages.map((message) => order.run(message.subject, () => this.publishOne(message))));
    return {
      requestId: id,
      accepted: events.length,
      duplicate: acks.every((ack) => ack.duplicate),
      lastSeq: Math.max(...acks.map((ack) => ack.seq)),
    };
  }

  /**
   * Groups by workflow in order of first appearance, keeping each workflow's order, so a retry
   * of the same request yields the same messages with the same ids (and JetStream drops them).
   */
  private toMessages(requestId: string, events: readonly Event[], eventBytes?: readonly Uint8Array[]): Message[] {
    const groups = new Map<string, number[]>();
    events.forEach((event, index) => {
      const workflowId = event.workflowId!;
      let group = groups.get(workflowId);
      if (!group) groups.set(workflowId, (group = []));
      group.push(index);
    });
    const maxBytes = Number(this.nc.info?.max_payload ?? 1024 * 1024) - HEADER_ALLOWANCE;
    const messages: Message[] = [];
    let groupIndex = 0;
    for (const [workflowId, group] of groups) {
      const subject = this.subjects.events(workflowId);
      const slices = eventBytes
        ? splitAtPayload(group.map((index) => eventBytes[index]), (bytes) => this.codec.wireSize(bytes), maxBytes).map((slice) => this.codec.encodeWire(slice))
        : this.encodeGroup(group.map((index) => events[index]), maxBytes);
      slices.forEach((data, sliceIndex) => messages.push({ subject, msgId: `${requestId}/${groupIndex}/${sliceIndex}`, data }));
      groupIndex++;
    }
    return messages;
  }

  /** Encoded once; only a group past the max payload is split and its slices encoded again. */
  private encodeGroup(group: Event[], maxBytes: number): Uint8Array[] {
    const whole = this.codec.encode(group);
    if (whole.length <= maxBytes) return [whole];
    return splitAtPayload(group, (event) => this.codec.encodedSize(event), maxBytes).map((slice) => this.codec.encode(slice));
  }

  /** One message in a span of its own: its traceparent header names that span, so the persister's batch joins the trace. */
  private publishOne(message: Message): Promise<{ duplicate: boolean; seq: number }> {
    const attributes = { 'messaging.system': 'nats', 'messaging.destination.name': message.subject, 'messaging.message.id': message.msgId };
    return inSpan(this.tracer, 'runlog.jetstream.publish', context.active(), attributes, async () => {
      const headers = natsHeaders();
      injectTraceContext({ get: (key) => headers.get(key), set: (key, value) => headers.set(key, value) });
      const startedAt = performance.now();
      try {
        const ack = await this.js.publish(message.subject, message.data, {
          msgID: message.msgId,
          headers,
          expect: { streamName: this.streamName },
          timeout: this.publishTimeoutMs,
        });
        this.metrics.published(startedAt, true);
        trace.getActiveSpan()?.setAttributes({ 'runlog.seq': ack.seq, 'runlog.duplicate': ack.duplicate });
        return { duplicate: ack.duplicate, seq: ack.seq };
      } catch (error) {
        this.metrics.published(startedAt, false);
        throw publishError(error);
      }
    }, SpanKind.PRODUCER);
  }
}

/**
 * Keeps messages to one subject in the order they were handed in, across the publishes that share
 * this object (one request's slices, one AppendStream's requests): each waits for the previous
 * one's ack, and once one fails, those queued behind it fail with it, unpublished. Otherwise a later
 * message could be stored while an earlier one was refused, and the retry would put the earlier
 * events after the later ones. Different workflows still publish at once.
 */
export class SubjectOrder {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(subject: string, publish: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(subject);
    const result = previous ? previous.then(publish) : publish();
    this.tails.set(subject, result);
    const forget = () => {
      if (this.tails.get(subject) === result) this.tails.delete(subject);
    };
    result.then(forget, forget);
    return result;
  }
}

/** Consecutive slices of the group, each within maxBytes; a single item past it cannot be published. */
function splitAtPayload<T>(group: T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const slices: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of group) {
    const bytes = sizeOf(item);
    if (bytes > maxBytes) throw resourceExhausted(`one event encodes to ${bytes} bytes, more than the NATS max payload of ${maxBytes}`);
    if (currentBytes + bytes > maxBytes) {
      slices.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += bytes;
  }
  slices.push(current);
  return slices;
}

/** NATS failures as the gRPC status a client can act on: a full stream is RESOURCE_EXHAUSTED, anything else UNAVAILABLE (retry). */
function publishError(error: unknown): RpcError {
  const message = String((error as Error)?.message ?? error);
  if (isStreamFull(error)) {
    return resourceExhausted(`the event stream is full; retry later (${message})`);
  }
  return unavailable(`could not store the events in JetStream; retry with the same request_id (${message})`);
}
