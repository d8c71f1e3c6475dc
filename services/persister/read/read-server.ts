// Serves the partition's read API on NATS request-reply: typed JSON requests, bounded concurrency, one DuckDB connection per worker.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { encodeReply, ReadError, WithBytes, type ReadReply, type ReadRequest, type ReadResult } from '../../common/read-protocol.js';
import type { Subjects } from '../../common/subjects.js';
import { SpanKind, trace } from '@opentelemetry/api';
import { extractTraceContext, inSpan, type Logger } from '../../common/telemetry.js';
import { createLogRecordsWire } from '../../common/wire/log-page.js';
import { readEvents, readLogs, type ReadContext } from './events.js';
import { readRun, readRuns, readWorkflows } from './runs.js';
import { readLineage, readSteps, readStepState } from './steps.js';
import type { RunFilter } from '../index/run-filter.js';
import type { StepIndex } from '../index/step-index.js';
import type { PartitionStore } from '../write/partition-store.js';

/** What a handler gets beside its connection: the request's context, and the step index the writer keeps current. */
type HandlerContext = ReadContext & { stepIndex: StepIndex; runFilter: RunFilter };

/** Handlers by op: each gets a connection of its own for the duration of the request. */
type StoreOp = Exclude<ReadRequest['op'], 'watermark'>;
type Handlers = {
  [Op in StoreOp]: (connection: DuckDBConnection, request: Extract<ReadRequest, { op: Op }>, context: HandlerContext) => Promise<ReadResult[Op] | WithBytes<ReadResult[Op]>>;
};

const HANDLERS: Handlers = {
  events: readEvents,
  logs: readLogs,
  workflows: readWorkflows,
  runs: readRuns,
  run: readRun,
  steps: (connection, request, context) => readSteps(connection, request, context),
  stepState: readStepState,
  lineage: readLineage,
};

export interface ReadServerOptions {
  workers: number;
  /** Requests waiting for a worker beyond this are refused with RESOURCE_EXHAUSTED. */
  maxQueued: number;
  /** How long a request with minSeq may wait for the writer to reach it. */
  maxCatchUpMs: number;
}

export class ReadServer {
  private subscription?: Subscription;
  private readonly idle: DuckDBConnection[] = [];
  private readonly queue: ((connection: DuckDBConnection) => void)[] = [];
  private readonly catchUpWaiters = new Set<() => void>();
  private inFlight = 0;
  private readonly wire = createLogRecordsWire();
  private readonly tracer = trace.getTracer('runlog-persister');

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: PartitionStore,
    private readonly options: ReadServerOptions,
    private readonly logger: Logger,
  ) {}

  async start(subjects: Subjects, partition: number): Promise<void> {
    for (let i = 0; i < this.options.workers; i++) this.idle.push(await this.store.connect());
    this.subscription = this.nc.subscribe(subjects.read(partition), { callback: (error, msg) => {
      if (!error) void this.handle(msg);
    } });
    // Serving once the server knows the subscription: until then a request finds no responders.
    await this.nc.flush();
  }

  /** Called after each commit: wakes requests waiting for the watermark. */
  watermarkAdvanced(): void {
    for (const wake of this.catchUpWaiters) wake();
  }

  /** Each read in a span, a child of the query's span when the request carries its traceparent. */
  private handle(msg: Msg): Promise<void> {
    const headers = msg.headers;
    const parent = extractTraceContext({ get: (key) => headers?.get(key) || undefined, set: () => undefined });
    return inSpan(this.tracer, 'runlog.persister.read', parent, {}, () => this.answer(msg), SpanKind.SERVER);
  }

  private async answer(msg: Msg): Promise<void> {
    this.inFlight++;
    let reply: ReadReply;
    let bytes: Uint8Array | undefined;
    try {
      const request = parseRequest(msg.data);
      trace.getActiveSpan()?.setAttribute('runlog.read.op', request.op);
      if (request.minSeq) await this.catchUp(request.minSeq);
      const context: HandlerContext = { wire: this.wire, watermark: this.store.watermark, runExtents: this.store.runExtents, stepIndex: this.store.stepIndex, runFilter: this.store.runFilter };
      let result: unknown =
        request.op === 'watermark'
          ? { watermark: context.watermark }
          : // The handler is chosen by the request's own op, so the pairing holds; TypeScript cannot see it through the union.
            await this.withConnection<unknown>((connection) => HANDLERS[request.op as StoreOp](connection, request as never, context));
      if (result instanceof WithBytes) ({ result, bytes } = result);
      reply = { ok: true, watermark: this.store.watermark, result } as ReadReply;
    } catch (error) {
      if (error instanceof ReadError) reply = { ok: false, failure: error.failure, message: error.message };
      else {
        this.logger.error('read failed', { error: String(error) });
        reply = { ok: false, failure: 'store-failed', message: 'the persister could not read its store' };
      }
    } finally {
      this.inFlight--;
    }
    msg.respond(encodeReply(reply, bytes));
  }

  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    let connection = this.idle.pop();
    if (!connection) {
      if (this.queue.length >= this.options.maxQueued) throw new ReadError('busy', 'the persister has too many reads queued; retry later');
      connection = await new Promise<DuckDBConnection>((resolve) => this.queue.push(resolve));
    }
    try {
      return await work(connection);
    } finally {
      const next = this.queue.shift();
      if (next) next(connection);
      else this.idle.push(connection);
    }
  }

  private async catchUp(minSeq: number): Promise<void> {
    if (this.store.watermark >= minSeq) return;
    const deadline = Date.now() + this.options.maxCatchUpMs;
    while (this.store.watermark < minSeq) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ReadError('not-caught-up', `the persister has not stored sequence ${minSeq} yet; retry`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.catchUpWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.catchUpWaiters.add(wake);
      });
    }
  }

  /** Stops taking requests and waits for those in flight. */
  async drain(): Promise<void> {
    await this.subscription?.drain();
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const connection of this.idle) connection.closeSync();
  }
}

const OPS = new Set<string>(['watermark', ...Object.keys(HANDLERS)]);

function parseRequest(data: Uint8Array): ReadRequest {
  let request: unknown;
  try {
    request = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new ReadError('bad-request', 'read request is not JSON');
  }
  if (typeof request !== 'object' || request === null || !OPS.has((request as { op?: string }).op ?? '')) {
    throw new ReadError('bad-request', 'read request has no known op');
  }
  return request as ReadRequest;
}
