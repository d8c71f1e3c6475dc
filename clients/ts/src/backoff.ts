// Exponential backoff with full jitter, and a sleep that an AbortSignal ends early.

export interface BackoffOptions {
  /** First delay, in ms (default 100). */
  initialDelayMs?: number;
  /** Longest delay, in ms (default 2000). */
  maxDelayMs?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;

  constructor(options: BackoffOptions = {}) {
    this.initial = options.initialDelayMs ?? 100;
    this.max = options.maxDelayMs ?? 2000;
  }

  /** The next delay: random in [d/2, d] with d doubling up to the maximum, so many clients do not retry in step. */
  next(): number {
    const ceiling = Math.min(this.max, this.initial * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (it does not throw: callers look at the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
