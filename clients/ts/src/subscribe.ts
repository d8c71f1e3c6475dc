// A Subscribe that survives restarts: reopens after UNAVAILABLE or RESOURCE_EXHAUSTED right after the last event it delivered.
import * as grpc from '@grpc/grpc-js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { isRpcError } from './errors.js';
import type { StoredEvent__Output } from './gen/runlog/v1/StoredEvent.js';
import type { SubscribeResponse__Output } from './gen/runlog/v1/SubscribeResponse.js';
import type { StoredEvent, SubscribeRequest } from './types.js';

export interface SubscribeOptions extends BackoffOptions {
  /** Ends the iteration (it returns, it does not throw) and cancels the call. */
  signal?: AbortSignal;
  /** Metadata for the call, added to the client's. */
  metadata?: Record<string, string>;
  /** Told before each reconnect, with the error that ended the previous call. */
  onReconnect?: (error: grpc.ServiceError, afterCursor: string | undefined) => void;
}

type Open = (request: SubscribeRequest, signal: AbortSignal) => Promise<grpc.ClientReadableStream<SubscribeResponse__Output>>;

/** Whether a subscription that ended with this error is worth reopening from its last cursor. */
function reconnectable(error: unknown): error is grpc.ServiceError {
  if (!isRpcError(error)) return false;
  if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.RESOURCE_EXHAUSTED) return true;
  // grpc-js reports a connection reset by a dying server as INTERNAL with RST_STREAM in the text.
  return error.code === grpc.status.INTERNAL && /RST_STREAM|Received RST/i.test(error.details);
}

/**
 * Each reopened call starts after the cursor of the last event handed to the consumer, so the
 * consumer sees no gap and no duplicate. Before the first event, a subscription asked for from the
 * beginning or since a time asks the same again; one asked for "only new events" asks for events
 * ingested since it first opened (by the service's clock, which on one host is ours).
 */
export async function* reconnectingSubscribe(
  open: Open,
  request: SubscribeRequest,
  convert: (event: StoredEvent__Output) => StoredEvent,
  options: SubscribeOptions = {},
): AsyncGenerator<StoredEvent> {
  const openedAt = new Date();
  const hasStart = request.fromBeginning !== undefined || request.since !== undefined || request.afterCursor !== undefined;
  let lastCursor: string | undefined;
  const backoff = new Backoff(options);
  const { signal } = options;

  while (!signal?.aborted) {
    const callAbort = new AbortController();
    const forward = () => callAbort.abort();
    signal?.addEventListener('abort', forward, { once: true });
    const start: SubscribeRequest =
      lastCursor !== undefined
        ? { filter: request.filter, afterCursor: lastCursor }
        : hasStart
          ? request
          : { filter: request.filter, since: openedAt };
    try {
      const call = await open(start, callAbort.signal);
      for await (const message of call as AsyncIterable<SubscribeResponse__Output>) {
        if (!message.event) continue;
        backoff.reset();
        const event = convert(message.event);
        lastCursor = event.cursor;
        yield event;
      }
      // The service ended the stream without an error: it only does so when it stops, so reopen.
      if (signal?.aborted) return;
      await sleep(backoff.next(), signal);
    } catch (error) {
      if (signal?.aborted) return;
      if (!reconnectable(error)) throw error;
      options.onReconnect?.(error, lastCursor);
      await sleep(backoff.next(), signal);
    } finally {
      signal?.removeEventListener('abort', forward);
      callAbort.abort();
    }
  }
}
