// The persister read API on NATS request-reply (`<prefix>.read.<p>`): typed requests and replies, JSON on the wire.
import type { Event } from './gen/runlog/v1/Event.js';
import type { LineageRequest, LineageResult, StepsRequest, StepsResult, StepStateRequest, StepStateResult } from './read-steps-protocol.js';

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
  logs: Page<StoredEventRow>;
  workflows: { items: WorkflowRow[]; more: boolean };
  runs: { items: RunRow[]; more: boolean };
  run: RunDetail | null;
  steps: StepsResult;
  stepState: StepStateResult;
  lineage: LineageResult;
};

export type ReadReply<R extends ReadRequest['op'] = ReadRequest['op']> =
  | { ok: true; watermark: number; result: ReadResult[R] }
  | { ok: false; code: number; message: string };

/** Largest page any read returns. */
export const MAX_READ_LIMIT = 1000;
