// Interleaves several async streams as their items arrive, pulling at most one item ahead from each.
export async function* mergeStreams<T>(streams: AsyncGenerator<T>[]): AsyncGenerator<T> {
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
    // The callers abort their signal first, so every pending next() settles and these returns finish.
    await Promise.allSettled(streams.map((stream) => stream.return(undefined)));
  }
}
