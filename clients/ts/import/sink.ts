// Stores imported runs idempotently: a run runlog already has is skipped (GetRun), a new one is appended with request ids derived from its source.
import { createHash } from 'node:crypto';
import type { RunlogClient } from '../src/client.js';
import { Code, describeError, isRpcError } from '../src/errors.js';
import type { Event } from '../src/types.js';
import type { ImportedRun, ImportItem, SkippedSource } from './model.js';

export interface ImportSummary {
  /** Runs found in the source (imported, already there, or unreadable). */
  runs: number;
  /** Runs read without error (imported, already there, or counted in a dry run). */
  read: number;
  imported: number;
  alreadyImported: number;
  skipped: SkippedSource[];
  steps: number;
  logs: number;
  attempts: number;
  branches: number;
  events: number;
  /** Final statuses of the runs read, imported or not. */
  statuses: Record<string, number>;
}

export interface ImportOptions {
  /** Names the importer in the request ids (`grapheteria`, `runnable`). */
  tool: string;
  /** Read and count only; store nothing. */
  dryRun?: boolean;
  /** Runs stored at once (default 8). */
  concurrency?: number;
  /** Told after each source, for a progress bar. */
  onItem?: (item: ImportItem, outcome: 'imported' | 'already imported' | 'skipped' | 'read') => void;
}

// One request per run as a rule: well below ingest's 10,000 events and 16 MiB per request.
const EVENTS_PER_REQUEST = 2000;
const BYTES_PER_REQUEST = 8 * 1024 * 1024;

/**
 * The JetStream duplicate window de-duplicates a retried request only for a while (2 min by default):
 * a second import later on is caught by asking for the run first. The request ids still make a retry
 * within one import (and an import re-run soon after an interrupted one) store every request once.
 */
export async function importRuns(client: RunlogClient, items: AsyncIterable<ImportItem>, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { runs: 0, read: 0, imported: 0, alreadyImported: 0, skipped: [], steps: 0, logs: 0, attempts: 0, branches: 0, events: 0, statuses: {} };
  // Runs are independent: a few go at once, so the import is not bound by one run's two round trips.
  const inFlight = new Set<Promise<void>>();
  const forks: ImportedRun[] = [];
  const start = async (run: ImportedRun) => {
    const task = storeRun(client, run, options.tool, summary).then((outcome) => options.onItem?.({ run }, outcome));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= (options.concurrency ?? 8)) await Promise.race(inFlight);
  };
  for await (const item of items) {
    summary.runs++;
    if ('skipped' in item) {
      summary.skipped.push(item.skipped);
      options.onItem?.(item, 'skipped');
      continue;
    }
    const { run } = item;
    summary.read++;
    summary.statuses[run.status] = (summary.statuses[run.status] ?? 0) + 1;
    summary.steps += run.counts.steps;
    summary.logs += run.counts.logs;
    summary.attempts += run.counts.attempts;
    summary.branches += run.counts.branches;
    if (options.dryRun) {
      options.onItem?.(item, 'read');
      continue;
    }
    if (parentOf(run)) {
      forks.push(run);
      continue;
    }
    await start(run);
  }
  await Promise.all(inFlight);
  // A fork inherits its parent's steps only when runlog stored the parent first: forks go after
  // every other run, each after the forks it descends from.
  for (const run of parentsFirst(forks)) {
    await Promise.all(inFlight);
    await start(run);
  }
  await Promise.all(inFlight);
  summary.skipped.sort((a, b) => a.source.localeCompare(b.source));
  return summary;
}

async function storeRun(client: RunlogClient, run: ImportedRun, tool: string, summary: ImportSummary): Promise<'imported' | 'already imported' | 'skipped'> {
  try {
    if (await exists(client, run)) {
      summary.alreadyImported++;
      return 'already imported';
    }
    // Stored moments ago but not readable yet (the persister lags the ack): JetStream recognises the
    // request ids and says so.
    if (await appendRun(client, run, tool)) {
      summary.alreadyImported++;
      return 'already imported';
    }
  } catch (error) {
    // Also a service that stayed away through the client's retries: the run is reported, the import goes on.
    summary.skipped.push({ source: run.source, reason: `not stored: ${describeError(error)}` });
    return 'skipped';
  }
  summary.imported++;
  summary.events += run.events.length;
  return 'imported';
}

const parentOf = (run: ImportedRun): string => run.events[0]?.runStarted?.parentRunId ?? '';

/** Forks ordered so that a fork of a fork comes after its parent (the chains are short). */
function parentsFirst(forks: ImportedRun[]): ImportedRun[] {
  const ordered: ImportedRun[] = [];
  let left = forks;
  while (left.length > 0) {
    const waiting = new Set(left.map((run) => `${run.workflowId}\0${run.runId}`));
    const ready = left.filter((run) => !waiting.has(`${run.workflowId}\0${parentOf(run)}`));
    // A cycle cannot be stored in order at all: the rest goes as it is.
    const next = ready.length > 0 ? ready : left;
    ordered.push(...next);
    left = left.filter((run) => !next.includes(run));
  }
  return ordered;
}

async function exists(client: RunlogClient, run: ImportedRun): Promise<boolean> {
  try {
    await client.getRun(run.workflowId, run.runId);
    return true;
  } catch (error) {
    if (isRpcError(error, Code.NOT_FOUND)) return false;
    throw error;
  }
}

/** Appends the run's requests; true when every one was a duplicate of a request already stored. */
async function appendRun(client: RunlogClient, run: ImportedRun, tool: string): Promise<boolean> {
  const key = createHash('sha256').update(`${tool}\0${run.workflowId}\0${run.runId}`).digest('hex').slice(0, 40);
  let index = 0;
  let allDuplicates = true;
  for (const chunk of chunks(run.events)) {
    const response = await client.append({ requestId: `import-${tool}-${key}-${index++}`, events: chunk });
    allDuplicates &&= response.duplicate;
  }
  return allDuplicates;
}

function* chunks(events: Event[]): Generator<Event[]> {
  let chunk: Event[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length;
    if (chunk.length > 0 && (chunk.length >= EVENTS_PER_REQUEST || bytes + size > BYTES_PER_REQUEST)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(event);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
