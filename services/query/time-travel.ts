// StateService as plain functions: read states through lineage, resume (a marker row), fork (lineage only, O(1)); see docs/TIME_TRAVEL.md.
import { createHash, randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound, outOfRange, RpcError } from '../common/grpc-errors.js';
import { idProblem } from '../common/ids.js';
import type { EventPublisher, PublishResult } from '../common/publish.js';
import type { ReadRequest, ReadResult } from '../common/read-protocol.js';
import type { StepRow, StepSelection, StepsRequest, StepsResult } from '../common/read-steps-protocol.js';
import { millisToTimestamp, microsToTimestamp, type Json } from '../common/values.js';
import type { Event } from '../common/gen/runlog/v1/Event.js';
import type { ForkRequest__Output } from '../common/gen/runlog/v1/ForkRequest.js';
import type { ForkResponse } from '../common/gen/runlog/v1/ForkResponse.js';
import type { GetLineageRequest__Output } from '../common/gen/runlog/v1/GetLineageRequest.js';
import type { GetLineageResponse } from '../common/gen/runlog/v1/GetLineageResponse.js';
import type { GetStateRequest__Output } from '../common/gen/runlog/v1/GetStateRequest.js';
import type { GetStateResponse } from '../common/gen/runlog/v1/GetStateResponse.js';
import type { LineageNode } from '../common/gen/runlog/v1/LineageNode.js';
import type { ListStepsRequest__Output } from '../common/gen/runlog/v1/ListStepsRequest.js';
import type { ListStepsResponse } from '../common/gen/runlog/v1/ListStepsResponse.js';
import type { ResumeRequest__Output } from '../common/gen/runlog/v1/ResumeRequest.js';
import type { ResumeResponse } from '../common/gen/runlog/v1/ResumeResponse.js';
import type { RunRef__Output } from '../common/gen/runlog/v1/RunRef.js';
import type { Status } from '../common/gen/runlog/v1/Status.js';
import type { StepState } from '../common/gen/runlog/v1/StepState.js';
import { validateAppendRequest, type Limits } from '../common/validate.js';
import { createEventBatchCodec } from '../common/proto.js';
import { decodeListingToken, encodeToken } from './cursor.js';
import { concerns, MAX_MESSAGES_LOOKED_AT, type UnstoredTail } from './unstored-tail.js';
import { applyMergePatch } from './merge-patch.js';
import { missingNodesError } from './missing-nodes.js';
import { pageSize } from './paging.js';
import type { PersisterClient } from './persister-client.js';

// Workflows whose recent publishes are remembered, the most recently published to.
const PUBLISHED_WORKFLOWS = 1000;

interface Run {
  workflowId: string;
  runId: string;
}

/** A message this service published: where it went, and the runs of its events. */
interface OwnMessage {
  seq: number;
  runIds: string[];
}

/** A step whose state is complete (fetched in chunks when the persister left it out). */
type FullStep = StepRow & { state: string };

export class TimeTravel {
  private readonly codec = createEventBatchCodec();
  /** Per workflow, the last messages this service published (forks, resume markers) and their runs: likely in a tail. */
  private readonly published = new Map<string, OwnMessage[]>();

  constructor(
    private readonly reader: PersisterClient,
    private readonly publisher: EventPublisher,
    private readonly unstoredTail: UnstoredTail,
    /** Ingest's limits: a fork's events must pass the checks every appended event passes. */
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  async getState(request: GetStateRequest__Output): Promise<GetStateResponse> {
    const run = runOf(request.run);
    const step = request._step === 'step' ? stepNumber(request.step, 'step') : undefined;
    const result = await this.steps(run, step === undefined ? { kind: 'latest' } : { kind: 'at', step });
    return { state: toStepState(run, await this.complete(run, chosenStep(run, result, step))) };
  }

  async listSteps(request: ListStepsRequest__Output): Promise<ListStepsResponse> {
    const run = runOf(request.run);
    const limit = pageSize(request.pageSize);
    const fingerprint = `steps:${digest(run.workflowId, run.runId)}`;
    const afterStep = request.pageToken ? decodeListingToken(request.pageToken, fingerprint, isStepNumber) : -1;
    const result = await this.steps(run, { kind: 'after', afterStep, limit }, { omitState: request.omitState });
    const steps: StepState[] = [];
    // One at a time: a page holds at most one state large enough to need chunks, and memory stays bounded.
    for (const item of result.items) steps.push(toStepState(run, request.omitState ? item : await this.complete(run, item)));
    const last = result.items[result.items.length - 1];
    return { steps, nextPageToken: result.more && last ? encodeToken({ after: last.step, request: fingerprint }) : '' };
  }

  /**
   * Validates the definition, then makes the step the head of the run's timeline: resuming an
   * earlier step stores a copy of it as the run's newest row (later rows stay, as history).
   */
  async resume(request: ResumeRequest__Output): Promise<ResumeResponse> {
    const run = runOf(request.run);
    const resumeFrom = request._resumeFrom === 'resumeFrom' ? stepNumber(request.resumeFrom, 'resume_from') : undefined;
    if (request.nodeIds.length > this.limits.maxNodeIds) throw invalidArgument(`node_ids: more than ${this.limits.maxNodeIds} entries (RUNLOG_MAX_NODE_IDS)`);
    request.nodeIds.forEach((nodeId, index) => checkId(`node_ids[${index}]`, nodeId));
    const select: StepSelection = resumeFrom === undefined ? { kind: 'latest' } : { kind: 'at', step: resumeFrom };
    const result = await this.steps(run, select, { definedNodeIds: request.nodeIds });
    const chosen = chosenStep(run, result, resumeFrom);
    if (result.missingNodeIds && result.missingNodeIds.length > 0) throw missingNodesError(result.missingNodeIds);
    const step = await this.complete(run, chosen);
    if (step.step < result.headStep!) await this.publish(run.workflowId, '', [snapshotEvent(run, step)]);
    return { state: toStepState(run, step), nextStep: String(step.step + 1) };
  }

  /** A new run whose steps 0..from_step are read through the parent: one RunStarted, one status, at most one snapshot. */
  async fork(request: ForkRequest__Output): Promise<ForkResponse> {
    const parent = runOf(request.run);
    const fromStep = stepNumber(request.fromStep, 'from_step');
    if (request.newRunId) checkId('new_run_id', request.newRunId);
    const fork: Run = { workflowId: parent.workflowId, runId: request.newRunId || randomUUID() };
    const patch = request.statePatchJson ? parseJson(request.statePatchJson, 'state_patch_json') : undefined;

    // The parent's unstored events would count for the fork (they precede its RunStarted): wait for those, and for the new id's.
    const steps = await this.steps(parent, { kind: 'at', step: fromStep }, { withStarted: true }, [parent.runId, fork.runId], request.newRunId ? [fork.runId] : []);
    if (steps.existingRunIds.length > 0) throw alreadyExists(`run '${fork.runId}' already exists in workflow '${fork.workflowId}'`);
    let forkPoint = await this.complete(parent, chosenStep(parent, steps, fromStep));

    const started = steps.started?.runStarted;
    const nowTime = millisToTimestamp(this.now());
    const events: Event[] = [
      {
        ...fork,
        runStarted: {
          workflowName: started?.workflowName ?? '',
          tags: Object.keys(request.tags).length > 0 ? request.tags : (started?.tags ?? {}),
          parameters: request.parameters ?? started?.parameters ?? null,
          config: started?.config ?? null,
          dagHash: started?.dagHash ?? '',
          nodeIds: started?.nodeIds ?? [],
          parentRunId: parent.runId,
          forkStep: String(fromStep),
          time: nowTime,
        },
      },
      { ...fork, runStatus: { status: 'STATUS_PENDING', time: nowTime, reason: `forked from run '${parent.runId}' at step ${fromStep}` } },
    ];
    if (patch !== undefined) {
      const patched = JSON.stringify(applyMergePatch(JSON.parse(forkPoint.state) as Json, patch));
      const bytes = Buffer.byteLength(patched, 'utf8');
      if (bytes > this.limits.maxStateBytes) {
        throw invalidArgument(`state_patch_json: the patched state is ${bytes} bytes, more than the limit of ${this.limits.maxStateBytes} bytes per state (RUNLOG_MAX_STATE_BYTES)`);
      }
      forkPoint = { ...forkPoint, state: patched, sourceRunId: fork.runId };
      events.push(snapshotEvent(fork, forkPoint));
    }
    this.validateForkEvents(events);
    // One id per (workflow, new run): two Forks racing for the same new_run_id store it once.
    const published = await this.publish(fork.workflowId, `fork-${digest(fork.workflowId, fork.runId)}`, events);
    if (published.duplicate) throw alreadyExists(`run '${fork.runId}' already exists in workflow '${fork.workflowId}'`);
    return { run: fork, state: toStepState(fork, forkPoint) };
  }

  async getLineage(request: GetLineageRequest__Output): Promise<GetLineageResponse> {
    const run = runOf(request.run);
    const lineage = await this.ask(run.workflowId, { op: 'lineage', ...run });
    if (!lineage.found) throw runNotFound(run);
    const node = (entry: (typeof lineage.descendants)[number]): LineageNode => ({
      runId: entry.runId,
      parentRunId: entry.parentRunId,
      forkStep: String(entry.forkStep ?? 0),
      status: (entry.status ? `STATUS_${entry.status}` : 'STATUS_UNSPECIFIED') as Status,
      forks: [],
    });
    const self = node(lineage.self);
    const byRun = new Map<string, LineageNode>([[self.runId!, self]]);
    // Shallowest first, so every parent is in the map before its forks.
    for (const entry of lineage.descendants) {
      const child = node(entry);
      byRun.get(entry.parentRunId)?.forks!.push(child);
      byRun.set(entry.runId, child);
    }
    return { ancestors: lineage.ancestors.map(node), run: self };
  }

  /**
   * A steps read that holds every event of `concerned` runs acked before the call began (read your
   * writes), without waiting on events of other runs: the persister answers at once and, at the
   * same time, the stream is asked what it holds of the workflow beyond what the persister stored
   * when last asked; only when that holds unstored events of these runs is the persister asked
   * again, to wait for them. An ancestor's unstored events never matter: they come after the fork
   * that cut it off. `existing`: runs to look for in the same read (a fork's new id).
   */
  private async steps(
    run: Run,
    select: StepSelection,
    extra: Omit<StepsRequest, 'op' | 'workflowId' | 'runId' | 'select'> = {},
    concerned = [run.runId],
    existing: string[] = [],
  ): Promise<StepsResult & { existingRunIds: string[] }> {
    const partition = this.reader.partitionOf(run.workflowId);
    const request: StepsRequest = { op: 'steps', ...run, select, ...extra, ...(existing.length > 0 && { lookFor: existing }) };
    // What the persister had stored when it last answered: the stream need only be looked at beyond it.
    const known = this.reader.lastWatermark(partition);
    const own = this.published.get(run.workflowId) ?? [];
    // This service's own messages right after what was stored, one after another in the stream:
    // nothing else can lie between them, and their runs are known, so the stream is asked only
    // what follows them.
    const ownNext: OwnMessage[] = [];
    if (known !== undefined) for (const message of own) if (message.seq === (ownNext.at(-1)?.seq ?? known) + 1) ownNext.push(message);
    const lookedFrom = ownNext.at(-1)?.seq ?? known;
    const likely = own.map((message) => message.seq);
    const [quick, early] = await Promise.all([
      this.reader.ask(partition, request),
      lookedFrom === undefined ? undefined : this.unstoredTail.tailAfter(run.workflowId, lookedFrom, likely),
    ]);
    let result = quick.result;
    // What the answer holds: the stream beyond it may hold events it did not see.
    const stored = result.storedSeq;
    // The early look (with the own messages before it) covers everything after that, unless it
    // started above it or stopped short (then it may have spent its look on messages stored meanwhile).
    const earlyCovers = early?.complete && known! <= stored;
    const tail = earlyCovers ? early : await this.unstoredTail.tailAfter(run.workflowId, stored, likely);
    const ownConcerned = earlyCovers && ownNext.some((message) => message.seq > stored && message.runIds.some((runId) => concerned.includes(runId)));
    if (ownConcerned || concerns(tail, stored, concerned)) {
      const minSeq = !tail.complete ? await this.reader.latestSeq(run.workflowId) : (tail.messages.at(-1)?.seq ?? lookedFrom!);
      result = (await this.reader.ask(partition, { ...request, minSeq })).result;
    }
    if (!result.found) throw runNotFound(run);
    return { ...result, existingRunIds: result.existingRunIds ?? [] };
  }

  /** Publishes the events (all of one workflow) and remembers where they went, for the next tails. */
  private async publish(workflowId: string, requestId: string, events: Event[]): Promise<PublishResult> {
    const published = await this.publisher.publish(requestId, events);
    const stored = this.reader.lastWatermark(this.reader.partitionOf(workflowId)) ?? 0;
    const recent = (this.published.get(workflowId) ?? []).filter((message) => message.seq > stored);
    // Only the last message's sequence is known: the runs of all the events cover it.
    recent.push({ seq: published.lastSeq, runIds: [...new Set(events.map((event) => event.runId!))] });
    this.published.delete(workflowId);
    this.published.set(workflowId, recent.slice(-MAX_MESSAGES_LOOKED_AT));
    if (this.published.size > PUBLISHED_WORKFLOWS) this.published.delete(this.published.keys().next().value!);
    return published;
  }

  /** Asks the workflow's persister once it stored all the stream held for the workflow (minSeq: that; 0: no wait). */
  private async ask<R extends ReadRequest>(workflowId: string, request: R, minSeq?: number): Promise<ReadResult[R['op']]> {
    const seq = minSeq ?? (await this.reader.latestSeq(workflowId));
    const answer = await this.reader.ask(this.reader.partitionOf(workflowId), { ...request, minSeq: seq });
    return answer.result;
  }

  /** The row with its whole state, read in chunks when it was too large for the steps reply. */
  private async complete(run: Run, row: StepRow): Promise<FullStep> {
    if (row.state !== undefined) return { ...row, state: row.state };
    const chunks: string[] = [];
    let offsetChars = 0;
    do {
      const chunk = await this.ask(run.workflowId, { op: 'stepState', workflowId: run.workflowId, seq: row.seq, idx: row.idx, offsetChars }, 0);
      if (chunk.text.length === 0) break;
      chunks.push(chunk.text);
      // Offsets count code points, as DuckDB does; a JS string's length counts UTF-16 units.
      offsetChars += [...chunk.text].length;
    } while (offsetChars < row.stateChars);
    return { ...row, state: chunks.join('') };
  }

  /** The fork's events must pass what ingest checks (tags, parameters size, ids): the messages speak of the Fork fields. */
  private validateForkEvents(events: Event[]): void {
    try {
      validateAppendRequest({ requestId: '', events: this.codec.decode(this.codec.encode(events)) }, this.limits);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      throw invalidArgument(error.message.replace(/^events\[\d+\]\.(run_started\.)?/, '').replace(/^run_id/, 'new_run_id'));
    }
  }
}

function runOf(run: RunRef__Output | null): Run {
  if (!run) throw invalidArgument('run: must name a workflow_id and a run_id');
  checkId('run.workflow_id', run.workflowId);
  checkId('run.run_id', run.runId);
  return { workflowId: run.workflowId, runId: run.runId };
}

function checkId(field: string, value: string): void {
  const problem = idProblem(value);
  if (problem) throw invalidArgument(`${field}: ${problem}`);
}

function stepNumber(value: string | undefined, field: string): number {
  const step = Number(value ?? '0');
  if (!Number.isSafeInteger(step) || step < 0) throw invalidArgument(`${field}: must be a step number from 0 to ${Number.MAX_SAFE_INTEGER}`);
  return step;
}

const isStepNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function parseJson(text: string, field: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw invalidArgument(`${field}: must be JSON text (an RFC 7386 merge patch)`);
  }
}

const runNotFound = (run: Run) => notFound(`run '${run.runId}' not found in workflow '${run.workflowId}'`);

/** The one step a single-step read found, or why there is none: no steps, past the head, or a gap. */
function chosenStep(run: Run, result: StepsResult, asked: number | undefined): StepRow {
  if (result.headStep === null) throw notFound(`run '${run.runId}' of workflow '${run.workflowId}' has no step snapshots`);
  if (asked !== undefined && asked > result.headStep) {
    throw outOfRange(`step ${asked} is past the last step (${result.headStep}) of run '${run.runId}'`);
  }
  const row = result.items[0];
  if (!row) throw notFound(`run '${run.runId}' has no step ${asked} in its current timeline`);
  return row;
}

function toStepState(run: Run, row: StepRow): StepState {
  return {
    run,
    step: String(row.step),
    nodeId: row.nodeId,
    stateJson: row.state ?? '',
    awaitingInput: row.awaitingInput,
    nextNodeIds: row.nextNodeIds,
    time: microsToTimestamp(BigInt(row.timeMicros)),
    processedNodeIds: row.processedNodeIds,
    waitingNodeIds: row.waitingNodeIds,
    sourceRunId: row.sourceRunId,
  };
}

/** The step as a StepSnapshot of `run`: a resume marker, or a fork's patched fork point. */
function snapshotEvent(run: Run, step: FullStep): Event {
  return {
    ...run,
    step: {
      step: String(step.step),
      nodeId: step.nodeId,
      stateJson: step.state,
      awaitingInput: step.awaitingInput,
      nextNodeIds: step.nextNodeIds,
      // The step's own time: the marker is the same step, not a new one.
      time: microsToTimestamp(BigInt(step.timeMicros)),
      processedNodeIds: step.processedNodeIds,
      waitingNodeIds: step.waitingNodeIds,
    },
  };
}

/** A short stable digest of ids, for page-token fingerprints and fork request ids. */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, 40);
}
