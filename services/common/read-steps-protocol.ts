// The time-travel reads of the persister read API (served by persister/read-steps.ts): step snapshots through a run's lineage.
import type { Event } from './gen/runlog/v1/Event.js';

/** One run of a lineage chain: the run asked for first, then its parent, up to the root. */
export interface LineageLink {
  runId: string;
  /** '' for a root (or a run without a RunStarted). */
  parentRunId: string;
  /** The parent's step this run was forked at; null for a root. */
  forkStep: number | null;
  /** Stream sequence of the run's first RunStarted; null when it has none. */
  startedSeq: number | null;
}

/** Which steps of the current timeline a steps read returns. */
export type StepSelection =
  | { kind: 'latest' }
  | { kind: 'at'; step: number }
  /** Oldest first, from the step after `afterStep` (-1: from the start). */
  | { kind: 'after'; afterStep: number; limit: number };

export interface StepsRequest {
  op: 'steps';
  workflowId: string;
  runId: string;
  select: StepSelection;
  /** Leave every state out (a light listing). */
  omitState?: boolean;
  /**
   * Resume validation: the definition's node ids. The reply then lists, in the order they were
   * first recorded, the nodes recorded at or before the (last) selected step that are not among them.
   */
  definedNodeIds?: string[];
  /** Also return the run's first RunStarted (what a fork inherits). */
  withStarted?: boolean;
  /** Also say which of these runs have events in the partition (a fork's new id must not). */
  lookFor?: string[];
}

/** One step of the current timeline. */
export interface StepRow {
  step: number;
  /** Where the snapshot is stored: (seq, idx) names it for a stepState read. */
  seq: number;
  idx: number;
  /** The run whose snapshot this is: the run asked for or an ancestor. */
  sourceRunId: string;
  nodeId: string;
  awaitingInput: boolean;
  nextNodeIds: string[];
  processedNodeIds: string[];
  waitingNodeIds: string[];
  /** Microseconds since the epoch, as a decimal string. */
  timeMicros: string;
  /** The state's length in characters (Unicode code points), what stepState offsets count. */
  stateChars: number;
  /** Absent when omitted, or when too large for the reply: then read it with stepState. */
  state?: string;
}

export interface StepsResult {
  /** False when the partition holds no event at all of the run. */
  found: boolean;
  /** The run and its ancestors, nearest first. */
  chain: LineageLink[];
  /** Last step of the current timeline; null when the run has no step yet. */
  headStep: number | null;
  items: StepRow[];
  /** For 'after': more steps follow the last item. */
  more: boolean;
  /** Present when definedNodeIds was given (at most MAX_MISSING_NODES). */
  missingNodeIds?: string[];
  /** Present when withStarted was asked: null when the run sent no RunStarted. */
  started?: Event | null;
  /** Present when lookFor was given: those of its runs that have events. */
  existingRunIds?: string[];
  /**
   * The partition's watermark in the snapshot this answer was read from: the answer holds every
   * event up to it. (The reply's own watermark is taken later, when it is sent.)
   */
  storedSeq: number;
}

/** A part of one stored state, for states too large to travel whole in one reply. */
export interface StepStateRequest {
  op: 'stepState';
  workflowId: string;
  seq: number;
  idx: number;
  /** Characters (code points) to skip. */
  offsetChars: number;
}

export interface StepStateResult {
  /** At most STATE_CHUNK_CHARS characters from offsetChars. */
  text: string;
  totalChars: number;
}

export interface LineageRequest {
  op: 'lineage';
  workflowId: string;
  runId: string;
}

export interface LineageEntry {
  runId: string;
  parentRunId: string;
  forkStep: number | null;
  /** Latest run status, short form (PENDING…CANCELLED); '' when none was recorded. */
  status: string;
}

export interface LineageResult {
  found: boolean;
  /** Parent first, root last. */
  ancestors: LineageEntry[];
  self: LineageEntry;
  /** Every run forked from the run, directly or not, shallowest first; each names its parent. */
  descendants: LineageEntry[];
  /** More than MAX_LINEAGE_RUNS descendants: the list stops there. */
  truncated: boolean;
}

/** Characters of a state one stepState reply carries: at most 4 MiB of UTF-8, under NATS's 8 MiB payload. */
export const STATE_CHUNK_CHARS = 1024 * 1024;
/** Missing nodes a resume validation reports at most. */
export const MAX_MISSING_NODES = 1000;
/** Forks below a run that a lineage read lists at most. */
export const MAX_LINEAGE_RUNS = 10_000;
/** Ancestors followed at most (guards against a cycle of agent-written parent ids too). */
export const MAX_LINEAGE_DEPTH = 1000;
