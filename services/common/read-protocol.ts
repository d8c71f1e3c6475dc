// The persister read API on NATS request-reply (`<prefix>.read.<p>`): typed requests and replies, JSON on the wire (plus raw bytes for log pages).
import type { Event } from './gen/runlog/v1/Event.js';
import type { LineageRequest, LineageResult, StepsRequest, StepsResult, StepStateRequest, StepStateResult } from './read-steps-protocol.js';

/** A place in a partition: stream sequence of the message, index of the event in it. */
export type Position = [seq: number, idx: number];

export const EVENT_KINDS = ['runStarted', 'log', 'runStatus', 'taskStatus', 'step'] as const;
export type EventKindName = (typeof EVENT_KINDS)[number];
/** The kinds of event that belong to a task (carry a task name). */
export const TASK_KINDS: ReadonlySet<EventKindName> = new Set<EventKindName>(['log', 'taskStatus']);

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

/** A page of log records: the records travel as the reply's bytes (log-records-wire.ts), framed in store order. */
export interface LogsPage {
  /** The bound the page was read up to: the request's, or the watermark the persister fixed for a first page. */
  upTo: number;
  /** Present when more records follow: pass it back as `after`. */
  next?: Position;
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
      /** Absent on a query's first page: the persister reads up to its watermark and says which (LogsPage.upTo). */
      upTo?: number;
      limit: number;
    })
  | (Base & { op: 'workflows'; after?: string; limit: number })
  | (Base & {
      op: 'runs';
      workflowId?: string;
      /** Short status names (RUNNING, …): the run's current status is one of them. */
      statuses?: string[];
      tags?: Record<string, string>;
      startMicros?: string;
      endMicros?: string;
      after?: RunKey;
      limit: number;
    })
  | (Base & { op: 'run'; workflowId: string; runId: string })
  | (Base & (StepsRequest | StepStateRequest | LineageRequest));

/** Order of ListRuns: newest start first, then workflow id, then run id. */
export type RunKey = [startMicros: string, workflowId: string, runId: string];

export interface WorkflowRow {
  workflowId: string;
  workflowName: string;
  runCount: number;
  lastRunMicros: string;
}

export interface RunRow {
  workflowId: string;
  runId: string;
  workflowName: string;
  /** Short status name; empty when the run has no status yet. */
  status: string;
  startMicros: string;
  /** Time of the final status when the run has ended. */
  endMicros?: string;
  tags: Record<string, string>;
  parentRunId: string;
  logCount: number;
  errorCount: number;
}

export interface StatusRow {
  status: string;
  micros: string;
  reason: string;
  attempt: number;
}

export interface TaskRow {
  taskName: string;
  taskInstanceId: string;
  status: string;
  attempt: number;
  timeline: StatusRow[];
}

export interface RunDetail {
  summary: RunRow;
  timeline: StatusRow[];
  tasks: TaskRow[];
  parametersJson: string | null;
  configJson: string | null;
  dagHash: string;
  nodeIds: string[];
  forkStep: string;
  forkRunIds: string[];
}

export type ReadResult = {
  watermark: { watermark: number };
  events: Page<StoredEventRow>;
  logs: LogsPage;
  workflows: { items: WorkflowRow[]; more: boolean };
  runs: { items: RunRow[]; more: boolean };
  run: RunDetail | null;
  steps: StepsResult;
  stepState: StepStateResult;
  lineage: LineageResult;
};

export type ReadReply<R extends ReadRequest['op'] = ReadRequest['op']> =
  | { ok: true; watermark: number; result: ReadResult[R] }
  | { ok: false; failure: ReadFailure; message: string };

/**
 * Why a persister refused a read. The persister speaks NATS, not gRPC: the query service maps
 * each kind to the gRPC status its client sees (query/persister-client.ts).
 */
export type ReadFailure =
  /** The request itself is wrong: not JSON, an unknown op, a position that is not one. */
  | 'bad-request'
  /** The request names something the partition does not hold. */
  | 'not-found'
  /** Too many reads are queued: retry later. */
  | 'busy'
  /** The writer has not stored the sequence the request waits for (minSeq) in time: retry. */
  | 'not-caught-up'
  /** The store failed to answer; the persister logged why. */
  | 'store-failed';

export class ReadError extends Error {
  constructor(
    readonly failure: ReadFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A result whose bulk travels as raw bytes after the JSON reply, rather than inside it. */
export class WithBytes<T> {
  constructor(
    readonly result: T,
    readonly bytes: Uint8Array,
  ) {}
}

// JSON text never holds a NUL byte (JSON.stringify escapes control characters), so one separates the bytes.
const BYTES_SEPARATOR = 0;

export function encodeReply(reply: ReadReply, bytes?: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(reply));
  if (!bytes) return json;
  const data = Buffer.allocUnsafe(json.length + 1 + bytes.length);
  json.copy(data);
  data[json.length] = BYTES_SEPARATOR;
  data.set(bytes, json.length + 1);
  return data;
}

export function decodeReply<R extends ReadRequest['op']>(data: Uint8Array): { reply: ReadReply<R>; bytes?: Uint8Array } {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const end = buffer.indexOf(BYTES_SEPARATOR);
  const reply = JSON.parse(buffer.toString('utf8', 0, end < 0 ? buffer.length : end)) as ReadReply<R>;
  return end < 0 ? { reply } : { reply, bytes: buffer.subarray(end + 1) };
}

/** Largest page any read returns. */
export const MAX_READ_LIMIT = 1000;
