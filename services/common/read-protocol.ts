// The persister read API on NATS request-reply (`<prefix>.read.<p>`): typed requests and replies, JSON on the wire.
import type { Event } from './gen/runlog/v1/Event.js';

/** A place in a partition: stream sequence of the message, index of the event in it. */
export type Position = [seq: number, idx: number];

export const EVENT_KINDS = ['runStarted', 'log', 'runStatus', 'taskStatus', 'step'] as const;
export type EventKindName = (typeof EVENT_KINDS)[number];

/** Which events a read wants; empty fields match everything. */
export interface EventFilterSpec {
  workflowId?: string;
  runId?: string;
  taskName?: string;
  /** Short level name (TRACE…FATAL): log records below it are left out. */
  minLevel?: string;
  /** Empty or absent: every kind. */
  kinds?: EventKindName[];
}

/** An event as the persister stored it. */
export interface StoredEventRow {
  seq: number;
  idx: number;
  /** Microseconds since the epoch, as a decimal string (beyond 2^53). */
  ingestMicros: string;
  event: Event;
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow: pass it back as `after`. */
  next?: Position;
}

/** Every request may carry minSeq: the persister answers once its watermark reached it (read your writes). */
interface Base {
  minSeq?: number;
}

export type ReadRequest =
  | (Base & { op: 'watermark' })
  | (Base & {
      op: 'events';
      filter: EventFilterSpec;
      /** Only events after this position. */
      after?: Position;
      /** Only events of messages up to this sequence (a watermark read earlier). */
      upTo: number;
      /** Only events the stream accepted at or after this time (microseconds, decimal string). */
      sinceMicros?: string;
      limit: number;
    })
  | (Base & {
      op: 'logs';
      filter: EventFilterSpec;
      startMicros?: string;
      endMicros?: string;
      contains?: string;
      descending: boolean;
      after?: Position;
      upTo: number;
      limit: number;
    });

export type ReadResult = {
  watermark: { watermark: number };
  events: Page<StoredEventRow>;
  logs: Page<StoredEventRow>;
};

export type ReadReply<R extends ReadRequest['op'] = ReadRequest['op']> =
  | { ok: true; watermark: number; result: ReadResult[R] }
  | { ok: false; code: number; message: string };

/** Largest page any read returns. */
export const MAX_READ_LIMIT = 1000;
