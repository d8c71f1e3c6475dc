// The RUNLOG JetStream stream: the write-ahead buffer between ingest and the persisters.
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConfigError, duration, integer, size, type Spec } from './config.js';
import { isInsufficientResources, isStreamNotFound } from './nats-errors.js';
import type { Subjects } from './subjects.js';

export const STREAM_SPEC = {
  streamMaxAgeMs: { env: 'RUNLOG_STREAM_MAX_AGE', default: 7 * 86_400_000, parse: duration, help: 'how long the stream keeps events (outlive a persister outage)' },
  streamMaxBytes: { env: 'RUNLOG_STREAM_MAX_BYTES', default: 1024 ** 3, parse: size, help: 'stream size limit; keep it below the disk size' },
  duplicateWindowMs: { env: 'RUNLOG_DUPLICATE_WINDOW', default: 120_000, parse: duration, help: 'how long a request_id de-duplicates retries' },
  streamReplicas: { env: 'RUNLOG_STREAM_REPLICAS', default: 1, parse: integer(1, 5), help: 'JetStream replicas (3 in production)' },
} satisfies Spec;

export interface StreamSettings {
  streamName: string;
  streamMaxAgeMs: number;
  streamMaxBytes: number;
  duplicateWindowMs: number;
  streamReplicas: number;
}

const NANOS_PER_MS = 1_000_000;

/** Creates the stream, or brings an existing one's limits to the configured values. */
export async function ensureStream(nc: NatsConnection, subjects: Subjects, settings: StreamSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: settings.streamName,
    subjects: [subjects.allEvents()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    // A full stream refuses new writes (a clean publish error) instead of dropping old events
    // that a persister may not have stored yet.
    discard: DiscardPolicy.New,
    max_age: settings.streamMaxAgeMs * NANOS_PER_MS,
    max_bytes: settings.streamMaxBytes,
    duplicate_window: settings.duplicateWindowMs * NANOS_PER_MS,
    num_replicas: settings.streamReplicas,
    allow_direct: true,
  };
  try {
    try {
      await jsm.streams.info(settings.streamName);
      await jsm.streams.update(settings.streamName, config);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      await jsm.streams.add(config);
    }
  } catch (error) {
    if (isInsufficientResources(error)) {
      throw new ConfigError(
        `JetStream cannot reserve RUNLOG_STREAM_MAX_BYTES=${settings.streamMaxBytes} for stream ${settings.streamName}: ` +
          'set RUNLOG_STREAM_MAX_BYTES below the server\'s JetStream store limit (by default 75% of the free disk)',
      );
    }
    throw error;
  }
}
