// Subscribe: per partition, DuckDB history up to the persister's watermark, then the stream after it; no gap, no duplicate.
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, QueuedIterator, Status } from '@nats-io/nats-core';
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import type { EventBatchCodec } from '../common/proto.js';
import type { EventFilterSpec, Position } from '../common/read-protocol.js';
import type { Subjects } from '../common/subjects.js';
import type { SubscribeRequest__Output } from '../common/gen/runlog/v1/SubscribeRequest.js';
import { invalidArgument } from '../common/grpc-errors.js';
import { timestampToMicros } from '../common/values.js';
import { decodeCursor, encodeCursor, END_OF_MESSAGE, type SubscriptionCursor } from './cursor.js';
import { matchesFilter, toFilterSpec } from './filter.js';
import { mergeStreams } from './merge-streams.js';
import type { PersisterClient } from './persister-client.js';
import { decodeAsStored } from './unstored-tail.js';

export interface SubscribeContext {
  nc: NatsConnection;
  reader: PersisterClient;
  subjects: Subjects;
  streamName: string;
  codec: EventBatchCodec;
  /** Events per history page asked of a persister. */
  historyPageSize: number;
  /** Messages the live consumer buffers ahead of the client. */
  liveBuffer: number;
}

/** An event as a subscriber receives it: with the cursor that resumes right after it. */
export interface DeliveredEvent {
  event: Event__Output;
  ingestMicros: bigint;
  cursor: string;
}

interface PartitionEvent {
  partition: number;
  seq: number;
  idx: number;
  ingestMicros: bigint;
  event: Event__Output;
}

/**
 * The events a Subscribe request asks for, history then live, until the signal aborts: each with
 * the cursor of every partition's position after it, so that a client resumes exactly there.
 */
export async function* subscription(context: SubscribeContext, request: SubscribeRequest__Output, signal: AbortSignal): AsyncGenerator<DeliveredEvent> {
  const filter = toFilterSpec(request.filter);
  const start = await startCursor(context, request);
  const positions = [...start.positions];
  for await (const item of subscribeEvents(context, filter, start, signal)) {
    positions[item.partition] = [item.seq, item.idx];
    yield { event: item.event, ingestMicros: item.ingestMicros, cursor: encodeCursor({ positions, sinceMicros: start.sinceMicros }) };
  }
}

function startCursor(context: SubscribeContext, request: SubscribeRequest__Output): Promise<SubscriptionCursor> | SubscriptionCursor {
  const partitions = context.subjects.partitionCount;
  switch (request.start) {
    case 'fromBeginning':
      if (!request.fromBeginning) throw invalidArgument('from_beginning: set it to true, or leave start unset for only new events');
      return { positions: Array.from({ length: partitions }, () => [0, 0]) };
    case 'since': {
      const since = timestampToMicros(request.since);
      if (since === null) throw invalidArgument('since: must be a timestamp');
      return { positions: Array.from({ length: partitions }, () => [0, 0]), sinceMicros: since.toString() };
    }
    case 'afterCursor':
      return decodeCursor(request.afterCursor ?? '', partitions);
    default:
      return cursorAtStreamEnd(context);
  }
}

/** Where a new subscription starts: every partition after the stream's current end. */
async function cursorAtStreamEnd(context: SubscribeContext): Promise<SubscriptionCursor> {
  const jsm = await jetstreamManager(context.nc);
  const info = await jsm.streams.info(context.streamName);
  return { positions: Array.from({ length: context.subjects.partitionCount }, () => [info.state.last_seq, END_OF_MESSAGE] as Position) };
}

/** The events after the cursor that match the filter, history then live, until the signal aborts. */
function subscribeEvents(context: SubscribeContext, filter: EventFilterSpec, start: SubscriptionCursor, signal: AbortSignal): AsyncGenerator<PartitionEvent> {
  const partitions = filter.workflowId ? [context.reader.partitionOf(filter.workflowId)] : start.positions.map((_, partition) => partition);
  // Each partition's reads end when the caller aborts, and when the merge ends without it (one
  // partition failed, or the caller stopped reading): the others may be waiting on a quiet stream.
  const mergeEnded = new AbortController();
  const partitionSignal = AbortSignal.any([signal, mergeEnded.signal]);
  return mergeStreams(
    partitions.map((partition) => partitionEvents(context, partition, filter, start.positions[partition], start.sinceMicros, partitionSignal)),
    () => mergeEnded.abort(),
  );
}

async function* partitionEvents(
  context: SubscribeContext,
  partition: number,
  filter: EventFilterSpec,
  after: Position,
  sinceMicros: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<PartitionEvent> {
  let position = after;
  let jsm: JetStreamManager | undefined;
  let lastWatermark = -1;
  for (;;) {
    // 1. History: what the persister stored, up to a watermark read once, page by page.
    const { watermark } = (await context.reader.ask(partition, { op: 'watermark' })).result;
    while (!signal.aborted && position[0] <= watermark) {
      const { result: page } = await context.reader.ask(partition, { op: 'events', filter, after: position, upTo: watermark, sinceMicros, limit: context.historyPageSize });
      for (const row of page.items) {
        position = [row.seq, row.idx];
        yield { partition, seq: row.seq, idx: row.idx, ingestMicros: BigInt(row.ingestMicros), event: row.event as Event__Output };
      }
      if (!page.next) break;
    }
    if (signal.aborted) return;
    // Every matching event up to the watermark has been handed out.
    if (position[0] <= watermark) position = [watermark, END_OF_MESSAGE];
    // 2. The stream from the first message not fully handed out. If the persister trimmed it
    //    meanwhile, it is stored now: read history again up to the new watermark.
    const from = position[1] === END_OF_MESSAGE ? position[0] + 1 : position[0];
    jsm ??= await jetstreamManager(context.nc);
    const { state } = await jsm.streams.info(context.streamName);
    if (state.first_seq > from && watermark !== lastWatermark) {
      lastWatermark = watermark;
      continue;
    }
    const live = yield* liveEvents(context, partition, filter, from, position, sinceMicros, signal);
    if (!live.reconnected || signal.aborted) return;
    // After NATS reconnects, nats.js re-checks an ordered consumer with a back-off as long as its
    // pull expiry; starting over from our own position (history, then a new consumer) is prompt.
    position = live.position;
    lastWatermark = -1;
  }
}

async function* liveEvents(
  context: SubscribeContext,
  partition: number,
  filter: EventFilterSpec,
  fromSeq: number,
  after: Position,
  sinceMicros: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<PartitionEvent, { reconnected: boolean; position: Position }> {
  const subject = filter.workflowId ? context.subjects.events(filter.workflowId) : context.subjects.partitionEvents(partition);
  const consumer = await jetstream(context.nc).consumers.get(context.streamName, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
  });
  const messages = await consumer.consume({ max_messages: context.liveBuffer });
  const stop = () => messages.stop();
  signal.addEventListener('abort', stop, { once: true });
  let reconnected = false;
  let position = after;
  const status = context.nc.status() as QueuedIterator<Status>;
  void (async () => {
    for await (const event of status) {
      if (event.type !== 'reconnect') continue;
      reconnected = true;
      stop();
    }
  })();
  const since = sinceMicros === undefined ? undefined : BigInt(sinceMicros);
  try {
    // Aborted while the consumer was being made: the listener above will never fire.
    if (signal.aborted) stop();
    for await (const message of messages) {
      const seq = message.seq;
      const ingestMicros = BigInt(message.info.timestampNanos) / 1000n;
      if (seq < after[0] || (since !== undefined && ingestMicros < since)) continue;
      const events = decodeAsStored(context.codec, message.data, ingestMicros);
      for (let idx = 0; idx < events.length; idx++) {
        if (seq === after[0] && idx <= after[1]) continue;
        const event = events[idx];
        if (!matchesFilter(filter, event)) continue;
        position = [seq, idx];
        yield { partition, seq, idx, ingestMicros, event };
      }
      position = [seq, END_OF_MESSAGE];
    }
    return { reconnected, position };
  } finally {
    status.stop();
    signal.removeEventListener('abort', stop);
    messages.stop();
    // Free the server-side consumer now rather than after its inactivity timeout.
    await consumer.delete().catch(() => undefined);
  }
}
