// The batching logger for agents: events buffered, sent in batches on AppendStream, retried with the same request_id, spilled to disk past a memory bound.
import { randomUUID } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { Backoff, type BackoffOptions } from './backoff.js';
import { dateToTimestamp, jsonToStruct, type Json, type JsonObject } from './convert.js';
import { isRpcError } from './errors.js';
import { claimOrphanedSpills, SpillFile, type SpilledBatch } from './spill.js';
import type { AppendSession } from './append-session.js';
import type { AppendRequest } from './gen/runlog/v1/AppendRequest.js';
import type { Event } from './gen/runlog/v1/Event.js';
import type { AppendResponse, LogLevelName, StatusName } from './types.js';

export interface LoggerOptions {
  /** Events in one AppendRequest (default 1000; ingest accepts up to 10,000). */
  maxBatchEvents?: number;
  /** How long an event waits for its batch to fill before it is sent anyway, in ms (default 20). */
  flushIntervalMs?: number;
  /** Batches sent on the stream and not answered yet (default 16). */
  maxInFlightBatches?: number;
  /** Events held in memory (queued and unanswered); past it new events go to the spill file (default 100,000). */
  maxBufferedEvents?: number;
  /**
   * Folder of the spill files (default `runlog-spill-<user>` in the OS temp dir). A logger opened on a
   * folder holding the spill of an agent that died replays it, before its own events.
   */
  spillDir?: string;
  /** Told when the service refused a batch for good (INVALID_ARGUMENT and the like): those events are dropped. */
  onRejected?: (error: grpc.ServiceError, events: number) => void;
  /** Delays between attempts while the service is away. */
  backoff?: BackoffOptions;
}

/** What the logger has done so far. */
export interface LoggerStats {
  /** Events handed to the logger. */
  logged: number;
  /** Events the service acknowledged (stored; a retry it recognised as already stored counts once). */
  acked: number;
  /** Events the service refused for good. */
  rejected: number;
  /** Events written to the spill file. */
  spilled: number;
  /** Events of an earlier agent's spill replayed and acknowledged. */
  replayed: number;
  /** Events in memory now. */
  inMemory: number;
  /** Failed stream attempts (each one ends in a resend). */
  retries: number;
}

/** The transport the logger needs: AppendStream sessions. RunlogClient is one. */
export interface AppendTransport {
  appendStream(): Promise<AppendSession>;
}

type Origin = 'memory' | 'spill' | 'replay';

interface Batch {
  requestId: string;
  events: number;
  origin: Origin;
  /** Memory batches hold their request; spilled ones are read back from their file when sent. */
  request?: AppendRequest;
  file?: SpillFile;
  place?: SpilledBatch;
}

// Codes after which resending the same batch can never succeed: the batch is dropped and reported.
const PERMANENT = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.OUT_OF_RANGE, grpc.status.ALREADY_EXISTS, grpc.status.FAILED_PRECONDITION]);

export class BatchingLogger {
  private readonly maxBatchEvents: number;
  private readonly flushIntervalMs: number;
  private readonly maxInFlight: number;
  private readonly maxBuffered: number;
  private readonly spillDir: string;
  private readonly id = randomUUID();
  private batchSeq = 0;

  /** Events not yet in a batch, oldest first, and when the oldest arrived. */
  private queue: Event[] = [];
  private queueSince = 0;
  /** Batches cut and not answered yet, in order; the first `sent` of them are on the current stream. */
  private outstanding: Batch[] = [];
  private sent = 0;
  private memoryEventsOutstanding = 0;
  /** Spilled batches of dead agents, not sent yet. */
  private replay: Batch[] = [];
  private readonly replayFiles = new Map<SpillFile, number>();
  /** Past the memory bound: new events go to `spillPending`, then to the live spill file, until both drain. */
  private spilling = false;
  private spillPending: Event[] = [];
  private spillPendingSince = 0;
  private liveSpill: SpillFile | undefined;
  private liveSpillUnsent: Batch[] = [];
  private liveSpillOutstanding = 0;

  private session: AppendSession | undefined;
  private retryAt = 0;
  private readonly backoff: Backoff;
  private flushRequests = 0;
  private readonly waiters: { target: number; resolve: () => void }[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  private readonly lowWater: number;
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly onExit = () => this.spillEverythingSync();
  private readonly counters = { logged: 0, acked: 0, rejected: 0, spilled: 0, replayed: 0, retries: 0 };

  constructor(
    private readonly transport: AppendTransport,
    private readonly requestType: protobuf.Type,
    private readonly options: LoggerOptions = {},
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 20;
    this.maxInFlight = options.maxInFlightBatches ?? 16;
    this.maxBuffered = Math.max(options.maxBufferedEvents ?? 100_000, this.maxBatchEvents);
    this.lowWater = Math.max(1, Math.floor(this.maxBuffered / 2));
    this.spillDir = options.spillDir ?? join(tmpdir(), `runlog-spill-${safeUser()}`);
    this.backoff = new Backoff(options.backoff);
    for (const file of claimOrphanedSpills(this.spillDir, requestType)) {
      const { pending } = file.scan();
      if (pending.length === 0) {
        file.remove();
        continue;
      }
      this.replayFiles.set(file, pending.length);
      for (const place of pending) this.replay.push({ requestId: place.requestId, events: place.events, origin: 'replay', file, place });
    }
    // An exit without close() (process.exit, the end of the event loop) spills what is in memory, synchronously.
    process.on('exit', this.onExit);
    this.loop = this.pump();
  }

  /** A run: emits its RunStarted now. */
  startRun(run: RunStart): RunLogger {
    const { workflowId, runId, time, parameters, config, ...rest } = run;
    this.emit({
      workflowId,
      runId,
      runStarted: {
        ...rest,
        parameters: parameters ? jsonToStruct(parameters) : null,
        config: config ? jsonToStruct(config) : null,
        time: dateToTimestamp(time ?? new Date()),
      },
    });
    return new RunLogger(this, workflowId, runId);
  }

  /** A run already started (by this agent earlier, or another): emits nothing. */
  run(workflowId: string, runId: string): RunLogger {
    return new RunLogger(this, workflowId, runId);
  }

  /** Queues one event (in the contract's wire shape). Never blocks: past the memory bound it goes to the spill file. */
  emit(event: Event): void {
    if (this.stopped) throw new Error('the logger is closed');
    this.counters.logged++;
    if (!this.spilling && this.queue.length + this.memoryEventsOutstanding >= this.maxBuffered) this.spilling = true;
    if (this.spilling) {
      if (this.spillPending.length === 0) this.spillPendingSince = Date.now();
      this.spillPending.push(event);
      if (this.spillPending.length >= this.maxBatchEvents) this.writeSpill();
      return;
    }
    if (this.queue.length === 0) this.queueSince = Date.now();
    this.queue.push(event);
    if (this.queue.length === 1 || this.queue.length === this.maxBatchEvents) this.notify();
  }

  /**
   * Resolves once fewer than half of `maxBufferedEvents` wait to be sent: an agent that can await
   * between pieces of work calls it to be slowed down to the service's pace instead of spilling.
   */
  ready(): Promise<void> {
    if (this.pendingEvents() < this.lowWater || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  /** Events not yet sent or answered, in memory or in the live spill file. */
  private pendingEvents(): number {
    return this.queue.length + this.memoryEventsOutstanding + this.spillPending.length + this.liveSpillUnsent.reduce((sum, batch) => sum + batch.events, 0);
  }

  /** Resolves once every event logged before the call is acknowledged (or refused for good). */
  flush(): Promise<void> {
    const target = this.counters.logged;
    if (this.done() >= target && this.replay.length === 0 && this.replayFiles.size === 0) return Promise.resolve();
    this.flushRequests++;
    this.notify();
    return new Promise<void>((resolve) => this.waiters.push({ target, resolve })).finally(() => this.flushRequests--);
  }

  /**
   * Flushes and stops. With `timeoutMs`, gives the service that long; whatever is still unacknowledged
   * then is written to the spill file (fsynced), for the next agent on the same spill folder.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<LoggerStats> {
    const flushed = this.flush().then(() => true);
    const inTime =
      options.timeoutMs === undefined ? await flushed : await Promise.race([flushed, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.timeoutMs).unref())]);
    if (!inTime) this.spillEverythingSync();
    this.stopped = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    this.notify();
    await this.loop;
    if (inTime) await this.session?.close();
    else this.session?.cancel();
    this.session = undefined;
    if (inTime && this.liveSpill) {
      this.liveSpill.remove();
      this.liveSpill = undefined;
    }
    process.off('exit', this.onExit);
    return this.stats();
  }

  stats(): LoggerStats {
    return { ...this.counters, inMemory: this.queue.length + this.memoryEventsOutstanding + this.spillPending.length };
  }

  private done(): number {
    return this.counters.acked + this.counters.rejected;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The sender: one loop, so batches go out in the order they were cut. */
  private async pump(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      // Spilled events become durable within the flush interval, also while the service is away.
      if (this.spillPending.length > 0 && now - this.spillPendingSince >= this.flushIntervalMs) this.writeSpill();
      if (this.retryAt > now) {
        await this.sleep(Math.min(this.retryAt - now, this.idleWait(now)));
        continue;
      }
      const batch = this.sent < this.maxInFlight ? this.nextUnsent(now) : undefined;
      if (!batch) {
        await this.sleep(this.idleWait(now));
        continue;
      }
      await this.send(batch);
    }
  }

  private async send(batch: Batch): Promise<void> {
    let session = this.session;
    try {
      if (!session) {
        session = await this.transport.appendStream();
        this.session = session;
      }
      const request = batch.request ?? batch.file!.read(batch.place!);
      const { answered } = await session.sendWire(request);
      if (session !== this.session) return;
      this.sent++;
      const current = session;
      answered.then(
        (response) => this.onAck(current, batch, response),
        (error) => this.onFailure(current, error),
      );
    } catch (error) {
      this.onFailure(session, error);
    }
  }

  /** The next batch to put on the stream: a resend, an orphan's spill, then memory, then this agent's spill. */
  private nextUnsent(now: number): Batch | undefined {
    if (this.sent < this.outstanding.length) return this.outstanding[this.sent];
    let batch: Batch | undefined;
    if (this.replay.length > 0) {
      batch = this.replay.shift();
    } else if (this.queue.length > 0 && (this.queue.length >= this.maxBatchEvents || now - this.queueSince >= this.flushIntervalMs || this.flushRequests > 0)) {
      batch = this.cutMemoryBatch();
    } else if (this.queue.length === 0 && this.liveSpillUnsent.length > 0) {
      batch = this.liveSpillUnsent.shift();
      this.liveSpillOutstanding++;
    } else if (this.queue.length === 0 && this.spilling && this.liveSpillUnsent.length === 0) {
      // The spill file is drained: what waits to be spilled is the newest, and memory has room for it again.
      this.spilling = false;
      this.queue = this.spillPending;
      this.queueSince = this.spillPendingSince;
      this.spillPending = [];
      return undefined;
    }
    if (batch) this.outstanding.push(batch);
    return batch;
  }

  private cutMemoryBatch(): Batch {
    const events = this.queue.splice(0, this.maxBatchEvents);
    this.queueSince = Date.now();
    this.memoryEventsOutstanding += events.length;
    const requestId = this.nextRequestId();
    return { requestId, events: events.length, origin: 'memory', request: { requestId, events } };
  }

  private nextRequestId(): string {
    return `${this.id}/${this.batchSeq++}`;
  }

  private onAck(session: AppendSession, batch: Batch, _response: AppendResponse): void {
    if (session !== this.session || this.outstanding[0] !== batch) return;
    this.outstanding.shift();
    this.sent--;
    this.backoff.reset();
    this.settle(batch, 'acked');
  }

  /** A batch is done with, stored or refused: its memory is freed, its spill record acked, flushes told. */
  private settle(batch: Batch, outcome: 'acked' | 'rejected'): void {
    this.counters[outcome] += batch.origin === 'replay' ? 0 : batch.events;
    if (batch.origin === 'replay' && outcome === 'acked') this.counters.replayed += batch.events;
    if (batch.origin === 'memory') this.memoryEventsOutstanding -= batch.events;
    if (batch.origin === 'spill') this.liveSpillOutstanding--;
    if (batch.file) {
      batch.file.appendAck(batch.requestId);
      if (batch.origin === 'replay') {
        const left = (this.replayFiles.get(batch.file) ?? 1) - 1;
        if (left === 0) {
          this.replayFiles.delete(batch.file);
          batch.file.remove();
        } else {
          this.replayFiles.set(batch.file, left);
        }
      }
    }
    if (batch.origin === 'spill' && !this.spilling && this.liveSpillOutstanding === 0 && this.liveSpillUnsent.length === 0 && this.liveSpill) {
      this.liveSpill.remove();
      this.liveSpill = undefined;
    }
    this.releaseWaiters();
    this.notify();
  }

  private releaseWaiters(): void {
    if (this.readyWaiters.length > 0 && this.pendingEvents() < this.lowWater) for (const resolve of this.readyWaiters.splice(0)) resolve();
    if (this.replay.length > 0 || this.replayFiles.size > 0) return;
    const done = this.done();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].target <= done) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private onFailure(session: AppendSession | undefined, error: unknown): void {
    if (session !== this.session) return;
    this.session = undefined;
    session?.cancel();
    this.sent = 0;
    this.counters.retries++;
    if (isRpcError(error) && PERMANENT.has(error.code) && this.outstanding.length > 0) {
      // The stream fails at its first failing request: the oldest unanswered batch.
      const refused = this.outstanding.shift()!;
      this.settle(refused, 'rejected');
      this.options.onRejected?.(error, refused.events);
      return;
    }
    this.retryAt = Date.now() + this.backoff.next();
    this.notify();
  }

  private writeSpill(): void {
    if (this.spillPending.length === 0) return;
    this.liveSpill ??= SpillFile.create(this.spillDir, this.requestType);
    const requests: AppendRequest[] = [];
    for (let i = 0; i < this.spillPending.length; i += this.maxBatchEvents) {
      requests.push({ requestId: this.nextRequestId(), events: this.spillPending.slice(i, i + this.maxBatchEvents) });
    }
    const file = this.liveSpill;
    for (const place of file.appendBatches(requests)) {
      this.liveSpillUnsent.push({ requestId: place.requestId, events: place.events, origin: 'spill', file, place });
    }
    this.counters.spilled += this.spillPending.length;
    this.spillPending = [];
    this.notify();
  }

  /**
   * Writes everything not yet acknowledged, in order, to one new spill file and removes the old
   * ones, so the next agent replays it. Synchronous: it also runs in the process's 'exit' event.
   */
  private spillEverythingSync(): void {
    const requests: AppendRequest[] = [];
    const readBack = (batch: Batch) => batch.request ?? batch.file!.read(batch.place!);
    for (const batch of [...this.outstanding, ...this.replay]) requests.push(readBack(batch));
    for (let i = 0; i < this.queue.length; i += this.maxBatchEvents) requests.push({ requestId: this.nextRequestId(), events: this.queue.slice(i, i + this.maxBatchEvents) });
    for (const batch of this.liveSpillUnsent) requests.push(readBack(batch));
    for (let i = 0; i < this.spillPending.length; i += this.maxBatchEvents) {
      requests.push({ requestId: this.nextRequestId(), events: this.spillPending.slice(i, i + this.maxBatchEvents) });
    }
    process.off('exit', this.onExit);
    if (requests.length === 0) return;
    const file = SpillFile.create(this.spillDir, this.requestType);
    file.appendBatches(requests);
    file.close();
    for (const old of new Set([this.liveSpill, ...this.replayFiles.keys()])) old?.remove();
    this.liveSpill = undefined;
    this.replayFiles.clear();
    const events = requests.reduce((sum, request) => sum + (request.events?.length ?? 0), 0);
    this.counters.spilled += events;
    this.queue = [];
    this.spillPending = [];
    this.outstanding = [];
    this.sent = 0;
    this.replay = [];
    this.liveSpillUnsent = [];
    this.memoryEventsOutstanding = 0;
  }

  private idleWait(now: number): number {
    const deadlines: number[] = [];
    if (this.queue.length > 0) deadlines.push(this.queueSince + this.flushIntervalMs - now);
    if (this.spillPending.length > 0) deadlines.push(this.spillPendingSince + this.flushIntervalMs - now);
    return deadlines.length > 0 ? Math.max(1, Math.min(...deadlines)) : 1000;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // Idle, the logger does not keep the process alive; with events to send it does.
      if (this.queue.length === 0 && this.outstanding.length === 0 && this.spillPending.length === 0 && this.liveSpillUnsent.length === 0 && this.replay.length === 0) timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

export interface RunStart {
  workflowId: string;
  runId: string;
  workflowName?: string;
  tags?: Record<string, string>;
  parameters?: JsonObject;
  config?: JsonObject;
  dagHash?: string;
  nodeIds?: string[];
  parentRunId?: string;
  forkStep?: number;
  time?: Date;
}

/** Status names with or without the contract's prefix: 'RUNNING' or 'STATUS_RUNNING'. */
export type StatusInput = StatusName | (StatusName extends `STATUS_${infer Short}` ? Short : never);

type Attributes = Record<string, string | number | boolean>;

const statusName = (status: StatusInput): StatusName => (status.startsWith('STATUS_') ? status : `STATUS_${status}`) as StatusName;

/** `log.info(message, attributes)` and the other levels, for a run or one of its tasks. */
export class LevelLogger {
  constructor(
    private readonly logger: BatchingLogger,
    private readonly workflowId: string,
    private readonly runId: string,
    private readonly taskName = '',
    private readonly taskInstanceId = '',
  ) {}

  trace(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_TRACE', message, attributes);
  }
  debug(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_DEBUG', message, attributes);
  }
  info(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_INFO', message, attributes);
  }
  warn(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_WARN', message, attributes);
  }
  error(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_ERROR', message, attributes);
  }
  fatal(message: string, attributes?: Attributes): void {
    this.write('LOG_LEVEL_FATAL', message, attributes);
  }

  write(level: LogLevelName, message: string, attributes?: Attributes, time = new Date()): void {
    this.logger.emit({
      workflowId: this.workflowId,
      runId: this.runId,
      log: {
        taskName: this.taskName,
        taskInstanceId: this.taskInstanceId,
        level,
        message,
        attributes: attributes ? Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, String(value)])) : {},
        time: dateToTimestamp(time),
      },
    });
  }
}

export class RunLogger {
  readonly log: LevelLogger;

  constructor(
    private readonly logger: BatchingLogger,
    readonly workflowId: string,
    readonly runId: string,
  ) {
    this.log = new LevelLogger(logger, workflowId, runId);
  }

  status(status: StatusInput, reason = '', time = new Date()): void {
    this.logger.emit({ workflowId: this.workflowId, runId: this.runId, runStatus: { status: statusName(status), reason, time: dateToTimestamp(time) } });
  }

  task(name: string, options: { instanceId?: string; attempt?: number } = {}): TaskLogger {
    return new TaskLogger(this.logger, this.workflowId, this.runId, name, options.instanceId ?? '', options.attempt ?? 1);
  }

  /** A step snapshot: `state` is the engine's whole state after the step. */
  step(
    step: number,
    nodeId: string,
    state: Json,
    extra: { awaitingInput?: boolean; nextNodeIds?: string[]; processedNodeIds?: string[]; waitingNodeIds?: string[]; time?: Date } = {},
  ): void {
    const { time, ...lists } = extra;
    this.logger.emit({
      workflowId: this.workflowId,
      runId: this.runId,
      step: { step, nodeId, stateJson: JSON.stringify(state), ...lists, time: dateToTimestamp(time ?? new Date()) },
    });
  }
}

export class TaskLogger {
  readonly log: LevelLogger;

  constructor(
    private readonly logger: BatchingLogger,
    private readonly workflowId: string,
    private readonly runId: string,
    readonly name: string,
    readonly instanceId: string,
    readonly attempt: number,
  ) {
    this.log = new LevelLogger(logger, workflowId, runId, name, instanceId);
  }

  status(status: StatusInput, reason = '', options: { attempt?: number; time?: Date } = {}): void {
    this.logger.emit({
      workflowId: this.workflowId,
      runId: this.runId,
      taskStatus: {
        taskName: this.name,
        taskInstanceId: this.instanceId,
        attempt: options.attempt ?? this.attempt,
        status: statusName(status),
        reason,
        time: dateToTimestamp(options.time ?? new Date()),
      },
    });
  }
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_-]/g, '_');
  } catch {
    return String(process.getuid?.() ?? 'user');
  }
}
