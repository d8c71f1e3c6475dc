// Interleaves several async streams as their items arrive, pulling at most one item ahead from each.

/**
 * `stop` runs when the merge ends (its reader stopped early, or a stream failed) and must make every
 * stream's pending next() settle: a quiet live stream would otherwise hold the close, and the error, forever.
 */
export async function* mergeStreams<T>(streams: AsyncGenerator<T>[], stop: () => void): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => pending.set(index, streams[index].next().then((result) => ({ index, result })));
  streams.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    stop();
    await Promise.allSettled(streams.map((stream) => stream.return(undefined)));
  }
}
