// gRPC handlers of IngestService: validate, publish, answer. Thin: the work is in common/validate.ts and common/publish.ts.
import type * as grpc from '@grpc/grpc-js';
import { toServiceError } from '../common/grpc-errors.js';
import type { Tracer } from '@opentelemetry/api';
import { grpcTraceContext, inSpan, type Logger } from '../common/telemetry.js';
import type { AppendResponse } from '../common/gen/runlog/v1/AppendResponse.js';
import type { AppendStreamResponse } from '../common/gen/runlog/v1/AppendStreamResponse.js';
import { validateAppendRequest, type Limits } from '../common/validate.js';
import { SubjectOrder, type EventPublisher } from '../common/publish.js';
import type { ReceivedAppend } from './request-bytes.js';
import { IngestMetrics, outcomeOf, statusCodeOf } from '../common/instruments.js';

/** IngestService's handlers; requests arrive as ReceivedAppend (see receivingEventBytes). */
export interface IngestHandlers extends grpc.UntypedServiceImplementation {
  Append: grpc.handleUnaryCall<ReceivedAppend, AppendResponse>;
  AppendStream: grpc.handleBidiStreamingCall<ReceivedAppend, AppendStreamResponse>;
}

// Requests of one AppendStream being published at once; past it we stop reading the stream
// (gRPC flow control then slows the agent down).
const MAX_IN_FLIGHT_PER_STREAM = 32;

export function createIngestHandlers(publisher: EventPublisher, limits: Limits, logger: Logger, tracer: Tracer, metrics = new IngestMetrics()): IngestHandlers {
  const append = (method: string, { request, eventBytes, wireBytes }: ReceivedAppend, metadata: grpc.Metadata, order?: SubjectOrder): Promise<AppendResponse> =>
    inSpan(tracer, `runlog.ingest.${method}`, grpcTraceContext(metadata), { 'runlog.events': request.events.length }, async () => {
      try {
        validateAppendRequest(request, limits);
        const result = await publisher.publish(request.requestId, request.events, eventBytes, order);
        metrics.append(method, result.duplicate ? 'duplicate' : 'ok', request.events.length, wireBytes);
        return { requestId: result.requestId, accepted: result.accepted, duplicate: result.duplicate };
      } catch (error) {
        const code = statusCodeOf(error);
        metrics.append(method, outcomeOf(code), request.events.length, wireBytes, code);
        throw error;
      }
    });

  return {
    Append(call, callback) {
      append('Append', call.request, call.metadata).then(
        (response) => callback(null, response),
        (error) => {
          logFailure(logger, 'Append', error);
          callback(toServiceError(error));
        },
      );
    },

    AppendStream(call) {
      // Requests of one stream are published at once, but a workflow's messages in request order.
      const order = new SubjectOrder();
      streamAppends(call, (received) => append('AppendStream', received, call.metadata, order), logger);
    },
  };
}

/**
 * Publishes each request as it arrives (several at once) and answers in request order. The
 * first failure ends the call with its status: the agent resends from the first unanswered request.
 */
function streamAppends(
  call: grpc.ServerDuplexStream<ReceivedAppend, AppendStreamResponse>,
  append: (received: ReceivedAppend) => Promise<AppendResponse>,
  logger: Logger,
): void {
  let chain: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let failed = false;
  let inputEnded = false;

  const finishIfIdle = () => {
    if (inputEnded && inFlight === 0 && !failed) call.end();
  };

  call.on('data', (received: ReceivedAppend) => {
    if (failed) return;
    const result = append(received);
    result.catch(() => undefined); // observed in order below
    inFlight++;
    if (inFlight >= MAX_IN_FLIGHT_PER_STREAM) call.pause();
    chain = chain.then(async () => {
      if (failed) return;
      try {
        const response = await result;
        call.write({ response });
      } catch (error) {
        failed = true;
        logFailure(logger, 'AppendStream', error);
        call.emit('error', toServiceError(error));
        return;
      } finally {
        inFlight--;
        if (inFlight < MAX_IN_FLIGHT_PER_STREAM) call.resume();
      }
      finishIfIdle();
    });
  });
  call.on('end', () => {
    inputEnded = true;
    chain = chain.then(finishIfIdle);
  });
  call.on('error', () => {
    failed = true;
  });
}

function logFailure(logger: Logger, method: string, error: unknown): void {
  const status = toServiceError(error);
  // Client mistakes are the client's to see; only server-side trouble is worth a warning here.
  if (status.code === 3 /* INVALID_ARGUMENT */) logger.debug(`${method} rejected`, { details: status.details });
  else logger.warn(`${method} failed`, { code: status.code, details: status.details, error: String(error) });
}
