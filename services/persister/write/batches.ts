// Groups an async stream into batches: a batch closes when it weighs enough or has waited long enough.
const TIMED_OUT = Symbol('timed out');

export async function* batchesOf<T>(
  source: AsyncIterable<T>,
  options: { maxWeight: number; maxWaitMs: number; weight: (item: T) => number },
): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  // A next() still running when a batch timed out belongs to the next batch.
  let pending: Promise<IteratorResult<T>> | null = null;
  for (;;) {
    const first = await (pending ?? iterator.next());
    pending = null;
    if (first.done) return;
    const batch = [first.value];
    let weight = options.weight(first.value);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), options.maxWaitMs)));
    try {
      while (weight < options.maxWeight) {
        pending = iterator.next();
        const next = await Promise.race([pending, timeout]);
        if (next === TIMED_OUT) break;
        pending = null;
        if (next.done) {
          yield batch;
          return;
        }
        batch.push(next.value);
        weight += options.weight(next.value);
      }
    } finally {
      clearTimeout(timer);
    }
    yield batch;
  }
}
