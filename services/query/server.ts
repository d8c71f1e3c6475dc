// gRPC handlers of QueryService: parse and check the request, call the plain functions, map errors.
import type * as grpc from '@grpc/grpc-js';
import { invalidArgument, resourceExhausted, toServiceError, unavailable } from '../common/grpc-errors.js';
import type { QueryServiceHandlers } from '../common/gen/runlog/v1/QueryService.js';
import type { QueryLogsRequest__Output } from '../common/gen/runlog/v1/QueryLogsRequest.js';
import type { LogRecordsWire } from '../common/wire/log-page.js';
import type { SubscribeRequest__Output } from '../common/gen/runlog/v1/SubscribeRequest.js';
import type { SubscribeResponse } from '../common/gen/runlog/v1/SubscribeResponse.js';
import { trace } from '@opentelemetry/api';
import { grpcTraceContext, inSpan, type Logger } from '../common/telemetry.js';
import { microsToTimestamp, timestampToMicros } from '../common/values.js';
import { decodeCursor, encodeCursor, type SubscriptionCursor } from './cursor.js';
import { toFilterSpec } from './filter.js';
import { queryLogs } from './logs.js';
import { getRun, listRuns, listWorkflows } from './runs.js';
import type { InFlightEvents } from './unstored-tail.js';
import { cursorAtStreamEnd, subscribeEvents, type SubscribeContext } from './subscribe.js';

export interface QueryHandlerOptions {
  /** How long a subscriber may leave its stream unread before it is cut off with RESOURCE_EXHAUSTED. */
  maxStallMs: number;
  /** Aborted when the service drains: open subscriptions end with UNAVAILABLE so clients resume elsewhere. */
  shutdown: AbortSignal;
}

/** Wraps a plain async function as a unary handler, inside a span that continues the client's trace. */
export function unary<Req, Res>(method: string, logger: Logger, work: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  const tracer = trace.getTracer('runlog-query');
  return (call, callback) => {
    inSpan(tracer, `runlog.query.${method}`, grpcTraceContext(call.metadata), {}, () => work(call.request)).then(
      (response) => callback(null, response),
      (error) => {
        const status = toServiceError(error);
        if (status.code === 13 /* INTERNAL */) logger.error(`${method} failed`, { error: String((error as Error)?.stack ?? error) });
        callback(status);
      },
    );
  };
}

/** QueryService's handlers, but QueryLogs answers with its response already encoded (queryServiceDefinition sends it as it is). */
// Pick, not Omit: the generated interface has an index signature, which Omit would keep alone.
export type QueryHandlers = Pick<QueryServiceHandlers, 'Subscribe' | 'ListWorkflows' | 'ListRuns' | 'GetRun'> & {
  QueryLogs: grpc.handleUnaryCall<QueryLogsRequest__Output, Buffer>;
};

/** The service definition grpc-js serves QueryHandlers with: QueryLogs responses are bytes, passed through. */
export function queryServiceDefinition(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return { ...service, QueryLogs: { ...service.QueryLogs, responseSerialize: (response: Buffer) => response } };
}

export function createQueryHandlers(context: SubscribeContext, wire: LogRecordsWire, inFlight: InFlightEvents, options: QueryHandlerOptions, logger: Logger): QueryHandlers {
  const { reader } = context;
  return {
    Subscribe: (call) => void subscribe(call, context, options, logger),
    QueryLogs: unary('QueryLogs', logger, (request: QueryLogsRequest__Output) => queryLogs(reader, inFlight, wire, request)),
    ListWorkflows: unary('ListWorkflows', logger, (request) => listWorkflows(reader, request)),
    ListRuns: unary('ListRuns', logger, (request) => listRuns(reader, request)),
    GetRun: unary('GetRun', logger, (request) => getRun(reader, request)),
  };
}

async function startCursor(context: SubscribeContext, request: SubscribeRequest__Output): Promise<SubscriptionCursor> {
  const partitions = context.subjects.partitionCount;
  switch (request.start) {
    case 'fromBeginning':
      if (!request.fromBeginning) throw invalidArgument('from_beginning: set it to true, or leave start unset for only new events');
      return { positions: Array.from({ length: partitions }, () => [0, 0]) };
    case 'since': {
      const since = timestampToMicros(request.since);
      if (since === null) throw invalidArgument('since: must be a timestamp');
      return { positions: Array.from({ length: partitions }, () => [0, 0]), sinceMicros: since.toString() };
    }
    case 'afterCursor':
      return decodeCursor(request.afterCursor ?? '', partitions);
    default:
      return cursorAtStreamEnd(context);
  }
}

async function subscribe(
  call: grpc.ServerWritableStream<SubscribeRequest__Output, SubscribeResponse>,
  context: SubscribeContext,
  options: QueryHandlerOptions,
  logger: Logger,
): Promise<void> {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  call.on('close', () => abort.abort());
  const onShutdown = () => {
    call.emit('error', toServiceError(unavailable('the query service is shutting down; resume with the last cursor')));
    abort.abort();
  };
  options.shutdown.addEventListener('abort', onShutdown, { once: true });
  let cursor: SubscriptionCursor | undefined;
  try {
    const filter = toFilterSpec(call.request.filter);
    cursor = await startCursor(context, call.request);
    const positions = [...cursor.positions];
    for await (const item of subscribeEvents(context, filter, cursor, abort.signal)) {
      if (abort.signal.aborted) break;
      positions[item.partition] = [item.seq, item.idx];
      cursor = { positions, sinceMicros: cursor.sinceMicros };
      const encoded = encodeCursor(cursor);
      const writable = call.write({ event: { event: item.event, cursor: encoded, ingestTime: microsToTimestamp(item.ingestMicros) } });
      if (!writable && !(await drained(call, options.maxStallMs, abort.signal))) {
        throw resourceExhausted(`subscriber fell more than ${options.maxStallMs} ms behind; resume with the cursor in trailer runlog-resume-cursor`, {
          'runlog-resume-cursor': encoded,
        });
      }
    }
    if (!abort.signal.aborted) call.end();
  } catch (error) {
    if (abort.signal.aborted) return;
    const status = toServiceError(error);
    if (status.code === 13) logger.error('Subscribe failed', { error: String((error as Error)?.stack ?? error) });
    call.emit('error', status);
  } finally {
    options.shutdown.removeEventListener('abort', onShutdown);
    abort.abort();
  }
}

/** Waits for gRPC flow control to let us write again; false when the client stalled too long. */
function drained(call: grpc.ServerWritableStream<SubscribeRequest__Output, SubscribeResponse>, maxStallMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (result: boolean) => {
      clearTimeout(timer);
      call.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onDrain = () => done(true);
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(false), maxStallMs);
    call.on('drain', onDrain);
    signal.addEventListener('abort', onAbort);
  });
}
