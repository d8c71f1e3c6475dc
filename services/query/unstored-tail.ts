// Events in the stream that a persister has not stored yet: a read waits for them only when they concern its runs.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import type { EventBatchCodec } from '../common/proto.js';
import type { Subjects } from '../common/subjects.js';
import { millisToTimestamp, streamTimestampToMicros } from '../common/values.js';

// Past this many unstored messages of the workflow, reading them costs more than waiting.
export const MAX_MESSAGES_LOOKED_AT = 16;

/** The workflow's messages in the stream after a sequence, as far as they were looked at. */
export interface StreamTail {
  /** Oldest first: each message's sequence, the time the stream stored it (as the persister stores it) and its events, as stored. */
  messages: { seq: number; ingestMicros: bigint; events: Event__Output[] }[];
  /** False when more followed than were looked at, or the stream did not answer. */
  complete: boolean;
}

export class UnstoredTail {
  private jsm?: Promise<JetStreamManager>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly streamName: string,
    private readonly codec: EventBatchCodec,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The workflow's messages after `afterSeq`, each found by a direct get of the next one, up to a
   * few. Asked for in the same round: the first, the workflow's last message (when they are the
   * same, none or one unstored, the usual case, one round is all), and the one after each of
   * `likelySeqs` (messages of the workflow the caller published itself), so that a tail of those
   * costs one round too.
   */
  async tailAfter(workflowId: string, afterSeq: number, likelySeqs: readonly number[] = []): Promise<StreamTail> {
    const subject = this.subjects.events(workflowId);
    const messages: StreamTail['messages'] = [];
    try {
      this.jsm ??= jetstreamManager(this.nc, { timeout: this.timeoutMs });
      const jsm = await this.jsm;
      const after = (seq: number) => jsm.direct.getMessage(this.streamName, { seq: seq + 1, next_by_subj: subject });
      const prefetched = new Map(likelySeqs.filter((seq) => seq > afterSeq).slice(-MAX_MESSAGES_LOOKED_AT).map((seq) => [seq, after(seq)]));
      const [first, last] = await Promise.all([after(afterSeq), jsm.direct.getMessage(this.streamName, { last_by_subj: subject })]);
      let message = first;
      for (let looked = 0; looked < MAX_MESSAGES_LOOKED_AT; looked++) {
        if (!message) return { messages, complete: true };
        const ingestMicros = streamTimestampToMicros(message.timestamp);
        messages.push({ seq: message.seq, ingestMicros, events: decodeAsStored(this.codec, message.data, ingestMicros) });
        // Both asks saw every message acked before this call: past the last one, nothing is missing.
        if (last && message.seq >= last.seq) return { messages, complete: true };
        message = await (prefetched.get(message.seq) ?? after(message.seq));
      }
      return { messages, complete: false };
    } catch {
      this.jsm = undefined;
      return { messages, complete: false };
    }
  }
}

/**
 * Whether the tail holds an unstored event (a message after `storedSeq`) of one of the runs. True
 * also when the tail is incomplete: the caller then waits for the persister, which is always right.
 */
export function concerns(tail: StreamTail, storedSeq: number, runIds: readonly string[]): boolean {
  if (!tail.complete) return true;
  return tail.messages.some((message) => message.seq > storedSeq && message.events.some((event) => runIds.includes(event.runId)));
}

/**
 * A stream message's events as the persister stores them, so that events read from the stream
 * equal those read from the store (a resumed subscription may meet the same event in both): the
 * ingest time where the agent sent none, and times at DuckDB's microsecond resolution.
 */
export function decodeAsStored(codec: EventBatchCodec, data: Uint8Array, ingestMicros: bigint): Event__Output[] {
  const events = codec.decode(data);
  for (const event of events) {
    const body = event[event.kind as keyof Event__Output] as { time?: { nanos: number } | null } | null | undefined;
    if (!body || typeof body !== 'object' || !('time' in body)) continue;
    if (body.time) body.time.nanos -= body.time.nanos % 1000;
    else Object.assign(body, { time: millisToTimestamp(Number(ingestMicros) / 1000) });
  }
  return events;
}
