// What an importer reads out of a foreign store: runs as runlog events, with counts for the summary, or a reason to skip.
import type { Event } from '../src/types.js';

export interface ImportedRun {
  /** Which file or row it came from, for messages. */
  source: string;
  workflowId: string;
  runId: string;
  /** The run's events, RunStarted first, each with its time from the source. */
  events: Event[];
  counts: RunCounts;
  /** Final status as runlog names it (`COMPLETED`, `FAILED`, `RUNNING` for a run the source left unfinished). */
  status: string;
}

export interface RunCounts {
  steps: number;
  logs: number;
  attempts: number;
  branches: number;
}

export interface SkippedSource {
  source: string;
  reason: string;
}

/** An importer hands out runs one by one (a store of thousands of runs is never read whole) or sources it could not read. */
export type ImportItem = { run: ImportedRun } | { skipped: SkippedSource };

/** A time as the source wrote it: ISO or `2026-01-20 09:12:03.121978`, local without a zone, read as UTC. */
export function parseSourceTime(text: unknown): Date | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const iso = text.includes('T') ? text : text.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** An id as the runlog contract takes it: the source's, unless it is empty or has control characters. */
export function checkId(kind: string, id: unknown, source: string): string {
  if (typeof id !== 'string' || id === '') throw new SourceError(source, `no ${kind}`);
  // eslint-disable-next-line no-control-regex -- the contract refuses control characters in ids
  if (/[\u0000-\u001f\u007f]/.test(id) || Buffer.byteLength(id) > 256) throw new SourceError(source, `${kind} '${id}' is not a valid runlog id`);
  return id;
}

/** A source that cannot be imported; the importer reports it as skipped with this reason. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(reason);
  }
}
