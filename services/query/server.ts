// gRPC handlers of QueryService: parse and check the request, call the plain functions, map errors.
import { status as grpcStatus } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import { resourceExhausted, toServiceError, unavailable } from '../common/grpc-errors.js';
import type { QueryServiceHandlers } from '../common/gen/runlog/v1/QueryService.js';
import type { QueryLogsRequest__Output } from '../common/gen/runlog/v1/QueryLogsRequest.js';
import type { LogRecordsWire } from '../common/wire/log-page.js';
import type { SubscribeRequest__Output } from '../common/gen/runlog/v1/SubscribeRequest.js';
import type { SubscribeResponse } from '../common/gen/runlog/v1/SubscribeResponse.js';
import { trace } from '@opentelemetry/api';
import { grpcTraceContext, inSpan, type Logger } from '../common/telemetry.js';
import { microsToTimestamp } from '../common/values.js';
import { queryLogs } from './logs.js';
import { getRun, listRuns, listWorkflows } from './runs.js';
import type { UnstoredTail } from './unstored-tail.js';
import { subscription, type SubscribeContext } from './subscribe.js';
import { statusCodeOf, type QueryMetrics } from '../common/instruments.js';

export interface QueryHandlerOptions {
  /** How long a subscriber may leave its stream unread before it is cut off with RESOURCE_EXHAUSTED. */
  maxStallMs: number;
  /** Aborted when the service drains: open subscriptions end with UNAVAILABLE so clients resume elsewhere. */
  shutdown: AbortSignal;
  /** Open subscriptions and slow-subscriber cancellations are counted here. */
  metrics?: QueryMetrics;
}

/** Wraps a plain async function as a unary handler, inside a span that continues the client's trace. */
export function unary<Req, Res>(method: string, logger: Logger, work: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  const tracer = trace.getTracer('runlog-query');
  return (call, callback) => {
    inSpan(tracer, `runlog.query.${method}`, grpcTraceContext(call.metadata), {}, () => work(call.request)).then(
      (response) => callback(null, response),
      (error) => {
        const status = toServiceError(error);
        if (status.code === grpcStatus.INTERNAL) logger.error(`${method} failed`, { error: String((error as Error)?.stack ?? error) });
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

export function createQueryHandlers(context: SubscribeContext, wire: LogRecordsWire, unstoredTail: UnstoredTail, options: QueryHandlerOptions, logger: Logger): QueryHandlers {
  const { reader } = context;
  return {
    Subscribe: (call) => void subscribe(call, context, options, logger),
    QueryLogs: unary('QueryLogs', logger, (request: QueryLogsRequest__Output) => queryLogs(reader, unstoredTail, wire, request)),
    ListWorkflows: unary('ListWorkflows', logger, (request) => listWorkflows(reader, request)),
    ListRuns: unary('ListRuns', logger, (request) => listRuns(reader, request)),
    GetRun: unary('GetRun', logger, (request) => getRun(reader, request)),
  };
}

async function subscribe(
  call: grpc.ServerWritableStream<SubscribeRequest__Output, SubscribeResponse>,
  context: SubscribeContext,
  options: QueryHandlerOptions,
  logger: Logger,
): Promise<void> {
  const abort = new AbortController();
  const metrics = options.metrics;
  metrics?.subscriptionOpened();
  let code: number = grpcStatus.OK;
  call.on('cancelled', () => abort.abort());
  call.on('close', () => abort.abort());
  const onShutdown = () => {
    code = grpcStatus.UNAVAILABLE;
    call.emit('error', toServiceError(unavailable('the query service is shutting down; resume with the last cursor')));
    abort.abort();
  };
  options.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    for await (const { event, ingestMicros, cursor } of subscription(context, call.request, abort.signal)) {
      if (abort.signal.aborted) break;
      const writable = call.write({ event: { event, cursor, ingestTime: microsToTimestamp(ingestMicros) } });
      if (!writable && !(await drained(call, options.maxStallMs, abort.signal))) {
        metrics?.slowSubscriberCancelled();
        throw resourceExhausted(`subscriber fell more than ${options.maxStallMs} ms behind; resume with the cursor in trailer runlog-resume-cursor`, {
          'runlog-resume-cursor': cursor,
        });
      }
    }
    if (!abort.signal.aborted) call.end();
  } catch (error) {
    if (abort.signal.aborted) return;
    code = statusCodeOf(error);
    const status = toServiceError(error);
    if (status.code === grpcStatus.INTERNAL) logger.error('Subscribe failed', { error: String((error as Error)?.stack ?? error) });
    call.emit('error', status);
  } finally {
    options.shutdown.removeEventListener('abort', onShutdown);
    abort.abort();
    metrics?.subscriptionClosed(code);
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
