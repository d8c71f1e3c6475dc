// A gRPC IngestService client for tests: promise-based Append, AppendStream, and retries with the same request_id.
import * as grpc from '@grpc/grpc-js';
import { loadContract } from '../../services/common/proto.js';
import type { IngestServiceClient } from '../../services/common/gen/runlog/v1/IngestService.js';
import type { AppendRequest } from '../../services/common/gen/runlog/v1/AppendRequest.js';
import type { AppendResponse__Output } from '../../services/common/gen/runlog/v1/AppendResponse.js';

export type { AppendRequest, AppendResponse__Output };

export function ingestClient(address: string): IngestServiceClient {
  const { proto } = loadContract();
  return new proto.runlog.v1.IngestService(address, grpc.credentials.createInsecure(), {
    // The crash tests send requests of a few hundred KiB; grpc-js's default send limit is unlimited,
    // the receive limit only matters for our small answers.
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    // Reconnect quickly after a restarted ingest, as an agent that wants to drain its buffer would.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
  });
}

export function append(client: IngestServiceClient, request: AppendRequest, timeoutMs = 10_000): Promise<AppendResponse__Output> {
  return new Promise((resolve, reject) => {
    client.Append(request, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

/** The gRPC status of a failed call; fails the test when the call did not fail. */
export async function appendError(client: IngestServiceClient, request: AppendRequest, timeoutMs = 10_000): Promise<grpc.ServiceError> {
  try {
    const response = await append(client, request, timeoutMs);
    throw new Error(`expected Append to fail, it answered ${JSON.stringify(response)}`);
  } catch (error) {
    if (isServiceError(error)) return error;
    throw error;
  }
}

export function isServiceError(error: unknown): error is grpc.ServiceError {
  return typeof (error as grpc.ServiceError)?.code === 'number' && 'details' in (error as object);
}

// What an agent retries: the service or its NATS is away (UNAVAILABLE), the answer did not come
// in time (DEADLINE_EXCEEDED), or the connection broke mid-call (grpc-js reports some resets as
// INTERNAL or UNKNOWN). Anything else, INVALID_ARGUMENT above all, is a test failure.
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.CANCELLED]);

export interface RetryLog {
  attempts: number;
  /** Status codes of the failed attempts, in order. */
  failures: grpc.status[];
}

/**
 * Appends until acked, resending the very same request (same request_id) after each retryable
 * failure, as an agent does. Gives up after `giveUpMs`.
 */
export async function appendWithRetry(
  client: IngestServiceClient,
  request: AppendRequest,
  options: { timeoutMs?: number; giveUpMs?: number; log?: RetryLog } = {},
): Promise<AppendResponse__Output> {
  if (!request.requestId) throw new Error('appendWithRetry needs a request_id, or a retry could store twice');
  const giveUpAt = Date.now() + (options.giveUpMs ?? 120_000);
  let delay = 50;
  for (;;) {
    if (options.log) options.log.attempts++;
    try {
      return await append(client, request, options.timeoutMs ?? 10_000);
    } catch (error) {
      if (!isServiceError(error) || !RETRYABLE.has(error.code) || Date.now() > giveUpAt) throw error;
      options.log?.failures.push(error.code);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** Sends every request on one AppendStream and collects the answers, in the order they came. */
export function appendStream(client: IngestServiceClient, requests: readonly AppendRequest[], timeoutMs = 60_000): Promise<AppendResponse__Output[]> {
  return new Promise((resolve, reject) => {
    const call = client.AppendStream({ deadline: Date.now() + timeoutMs });
    const responses: AppendResponse__Output[] = [];
    call.on('data', (message) => responses.push(message.response!));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const request of requests) call.write({ request });
    call.end();
  });
}
