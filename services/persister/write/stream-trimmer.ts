// Trims the partition's stored messages from the stream once they are in DuckDB and old enough.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Subjects } from '../../common/subjects.js';
import type { Logger } from '../../common/telemetry.js';

/**
 * The stream refuses writes when full (discard new), so what the persister stored must leave it.
 * It stays for `lagMs` after it was stored: a subscriber hands off from DuckDB history to the
 * stream at the watermark it read, and needs what follows to still be in the stream.
 */
export function startStreamTrimmer(options: {
  nc: NatsConnection;
  subjects: Subjects;
  streamName: string;
  partition: number;
  lagMs: number;
  intervalMs: number;
  watermark: () => number;
  logger: Logger;
}): { stop(): void } {
  const samples: { at: number; watermark: number }[] = [];
  let trimmedBelow = 0;
  // Made once: creating a manager asks the server whether JetStream is there.
  let jsm: Promise<JetStreamManager> | undefined;
  const tick = async () => {
    const now = Date.now();
    samples.push({ at: now, watermark: options.watermark() });
    let below = 0;
    while (samples.length > 0 && samples[0].at <= now - options.lagMs) below = samples.shift()!.watermark + 1;
    if (below <= trimmedBelow) return;
    try {
      jsm ??= jetstreamManager(options.nc);
      const { purged } = await (await jsm).streams.purge(options.streamName, { filter: options.subjects.partitionEvents(options.partition), seq: below });
      trimmedBelow = below;
      if (purged > 0) options.logger.debug('trimmed stream', { partition: options.partition, below_seq: below, purged });
    } catch (error) {
      jsm = undefined;
      options.logger.warn('stream trim failed; will retry', { error: String(error) });
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
