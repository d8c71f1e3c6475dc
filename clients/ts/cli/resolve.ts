// Finds the workflow of a run given by id alone, so commands take `<run>` with an optional --workflow.
import type { RunlogClient } from '../src/client.js';
import type { RunRef } from '../src/types.js';
import { UsageError } from './parse.js';

export async function resolveRun(client: RunlogClient, runId: string, workflowId?: string): Promise<{ workflowId: string; runId: string }> {
  if (workflowId) return { workflowId, runId };
  const matches: string[] = [];
  // ListRuns has no run-id filter: the listing is walked, newest first, until two matches make it ambiguous.
  for await (const run of client.iterateRuns({ pageSize: 1000 })) {
    if (run.runId === runId) matches.push(run.workflowId);
    if (matches.length > 1) break;
  }
  if (matches.length === 0) throw new UsageError(`no run '${runId}' found; name its workflow with --workflow`);
  if (matches.length > 1) throw new UsageError(`run '${runId}' exists in several workflows (${matches.join(', ')}); name one with --workflow`);
  return { workflowId: matches[0], runId };
}

export const refText = (ref: RunRef): string => `${ref.workflowId}/${ref.runId}`;
