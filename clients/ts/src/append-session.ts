// One AppendStream call: requests pipelined, each answered by a promise, in request order.
import type * as grpc from '@grpc/grpc-js';
import type { Converter } from './convert.js';
import type { AppendStreamRequest } from './gen/runlog/v1/AppendStreamRequest.js';
import type { AppendStreamResponse__Output } from './gen/runlog/v1/AppendStreamResponse.js';
import type { AppendRequest as AppendRequestWire } from './gen/runlog/v1/AppendRequest.js';
import type { AppendRequest, AppendResponse } from './types.js';

interface Pending {
  resolve(response: AppendResponse): void;
  reject(error: unknown): void;
}

/**
 * The service answers an AppendStream's requests in order and ends the call at its first failure,
 * so every request not yet answered then failed with it: the caller resends them, with the same
 * request ids, on a new session.
 */
export class AppendSession {
  private readonly pending: Pending[] = [];
  private failure: unknown;
  private readonly ended: Promise<void>;

  constructor(
    private readonly call: grpc.ClientDuplexStream<AppendStreamRequest, AppendStreamResponse__Output>,
    private readonly converter: Converter,
  ) {
    call.on('data', (message: AppendStreamResponse__Output) => {
      const next = this.pending.shift();
      next?.resolve(this.converter.toPlain('runlog.v1.AppendResponse', message.response));
    });
    this.ended = new Promise((resolve) => {
      call.on('error', (error) => {
        this.fail(error);
        resolve();
      });
      call.on('end', () => {
        this.fail(new Error('AppendStream ended before answering every request'));
        resolve();
      });
    });
  }

  /** True once the call failed or ended: a new session is needed. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Sends one request (it must carry its request_id) and resolves once it is written, waiting while
   * the stream's buffer is full; `answered` resolves with its answer.
   */
  send(request: AppendRequest): Promise<{ answered: Promise<AppendResponse> }> {
    return this.sendWire(this.converter.toWire<AppendRequestWire>('runlog.v1.AppendRequest', request));
  }

  /** `send` for a request already in the generated wire shape (the logger's, which it builds so, once). */
  async sendWire(request: AppendRequestWire): Promise<{ answered: Promise<AppendResponse> }> {
    if (this.failure !== undefined) throw this.failure;
    const answered = new Promise<AppendResponse>((resolve, reject) => this.pending.push({ resolve, reject }));
    // A caller that stops looking after a failure must not crash the process with an unhandled rejection.
    answered.catch(() => undefined);
    if (!this.call.write({ request })) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.call.off('drain', done);
          resolve();
        };
        this.call.on('drain', done);
        void this.ended.then(done);
      });
    }
    return { answered };
  }

  /** Half-closes the call and waits until the service has answered what was sent (or the call failed). */
  async close(): Promise<void> {
    if (this.failure === undefined) this.call.end();
    await this.ended;
  }

  /** Drops the call at once; what was not answered fails. */
  cancel(): void {
    this.call.cancel();
    this.fail(new Error('AppendStream cancelled'));
  }

  private fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error;
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
  }
}
