// Polling for a condition that becomes true in another process (a row in DuckDB, a healthy service).

/**
 * Calls `probe` until it returns a value `done` accepts; a probe that throws counts as not yet
 * (e.g. a DuckDB copy caught mid-write). On timeout, fails with the last value or error.
 */
export async function waitUntil<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string; explain?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: string = 'no attempt finished';
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = `last value: ${stringify(value)}`;
    } catch (error) {
      last = `last error: ${(error as Error)?.message ?? String(error)}`;
    }
    if (Date.now() > deadline) {
      const explanation = options.explain ? `\n${options.explain()}` : '';
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'} (${last})${explanation}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))?.slice(0, 500) ?? String(value);
}
