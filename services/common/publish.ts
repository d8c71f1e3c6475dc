// Publishes events to JetStream (ingest, and the state service for forks): one message per workflow, split at max payload, acked before success.
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { RpcError, resourceExhausted, unavailable } from './grpc-errors.js';
import type { EventBatchCodec } from './proto.js';
import type { Subjects } from './subjects.js';
import { injectTraceContext } from './telemetry.js';
import type { Event } from './gen/runlog/v1/Event.js';

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

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly codec: EventBatchCodec,
    private readonly streamName: string,
    private readonly publishTimeoutMs: number,
  ) {
    this.js = jetstream(nc, { timeout: publishTimeoutMs });
  }

  async publish(requestId: string, events: readonly Event[]): Promise<PublishResult> {
    const id = requestId || randomUUID();
    const messages = this.toMessages(id, events);
    const acks = await Promise.all(messages.map((message) => this.publishOne(message)));
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
  private toMessages(requestId: string, events: readonly Event[]): Message[] {
    const groups = new Map<string, Event[]>();
    for (const event of events) {
      const workflowId = event.workflowId!;
      let group = groups.get(workflowId);
      if (!group) groups.set(workflowId, (group = []));
      group.push(event);
    }
    const maxBytes = Number(this.nc.info?.max_payload ?? 1024 * 1024) - HEADER_ALLOWANCE;
    const messages: Message[] = [];
    let groupIndex = 0;
    for (const [workflowId, group] of groups) {
      const subject = this.subjects.events(workflowId);
      // Encoded once; only a group past the max payload is split and its slices encoded again.
      const whole = this.codec.encode(group);
      const slices = whole.length <= maxBytes ? [whole] : this.splitAtPayload(group, maxBytes).map((slice) => this.codec.encode(slice));
      slices.forEach((data, sliceIndex) => messages.push({ subject, msgId: `${requestId}/${groupIndex}/${sliceIndex}`, data }));
      groupIndex++;
    }
    return messages;
  }

  private splitAtPayload(group: Event[], maxBytes: number): Event[][] {
    const slices: Event[][] = [];
    let current: Event[] = [];
    let currentBytes = 0;
    for (const event of group) {
      const bytes = this.codec.encodedSize(event);
      if (bytes > maxBytes) throw resourceExhausted(`one event encodes to ${bytes} bytes, more than the NATS max payload of ${maxBytes}`);
      if (currentBytes + bytes > maxBytes) {
        slices.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push(event);
      currentBytes += bytes;
    }
    slices.push(current);
    return slices;
  }

  private async publishOne(message: Message): Promise<{ duplicate: boolean; seq: number }> {
    const headers = natsHeaders();
    injectTraceContext({ get: (key) => headers.get(key), set: (key, value) => headers.set(key, value) });
    try {
      const ack = await this.js.publish(message.subject, message.data, {
        msgID: message.msgId,
        headers,
        expect: { streamName: this.streamName },
        timeout: this.publishTimeoutMs,
      });
      return { duplicate: ack.duplicate, seq: ack.seq };
    } catch (error) {
      throw publishError(error);
    }
  }
}

/** NATS failures as the gRPC status a client can act on: a full stream is RESOURCE_EXHAUSTED, anything else UNAVAILABLE (retry). */
function publishError(error: unknown): RpcError {
  const message = String((error as Error)?.message ?? error);
  if (/maximum (bytes|messages)|insufficient resources|storage/i.test(message)) {
    return resourceExhausted(`the event stream is full; retry later (${message})`);
  }
  return unavailable(`could not store the events in JetStream; retry with the same request_id (${message})`);
}
