// The write-path workload: log records with ~100-byte messages, grouped the way an agent sends them and ingest publishes them.
import type { Event } from '../services/common/gen/runlog/v1/Event.js';
import { createEventBatchCodec, type EventBatchCodec } from '../services/common/proto.js';

/** Bytes of each record's message text, what issue 2's target is stated for. */
export const MESSAGE_BYTES = 100;

const LEVELS = ['LOG_LEVEL_INFO', 'LOG_LEVEL_INFO', 'LOG_LEVEL_INFO', 'LOG_LEVEL_DEBUG', 'LOG_LEVEL_INFO', 'LOG_LEVEL_WARN', 'LOG_LEVEL_INFO', 'LOG_LEVEL_ERROR'];
const WORDS = ['rows', 'loaded', 'batch', 'partition', 'retry', 'commit', 'offset', 'upstream', 'checkpoint', 'shard', 'merged', 'skipped', 'cache', 'hit', 'miss', 'elapsed'];

/** Deterministic pseudo-random numbers (mulberry32), so every run sends the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function messageText(next: () => number, ordinal: number): string {
  let text = `#${ordinal}`;
  while (text.length < MESSAGE_BYTES) text += ` ${WORDS[Math.floor(next() * WORDS.length)]}=${Math.floor(next() * 100_000)}`;
  return text.slice(0, MESSAGE_BYTES);
}

/**
 * `count` log events of one workflow, spread over a few runs and tasks as an agent running
 * several tasks would send them. No attributes or trace ids: the figure is about the message.
 */
export function logEvents(workflowId: string, count: number, seed: number): Event[] {
  const next = random(seed);
  const baseSeconds = 1_750_000_000 + seed;
  return Array.from({ length: count }, (_, i) => {
    const task = `task-${i % 7}`;
    return {
      workflowId,
      runId: `run-${seed % 1000}-${i % 4}`,
      log: {
        taskName: task,
        taskInstanceId: `${task}#1`,
        time: { seconds: String(baseSeconds + Math.floor(i / 1000)), nanos: (i % 1000) * 1_000_000 },
        level: LEVELS[i % LEVELS.length] as 'LOG_LEVEL_INFO',
        message: messageText(next, i),
        attributes: {},
        traceId: '',
        spanId: '',
      },
    };
  });
}

let codec: EventBatchCodec | undefined;

/** `EventBatch` bytes of the events: exactly what ingest publishes for one workflow's group. */
export function encodeEventBatch(events: readonly Event[]): Uint8Array {
  codec ??= createEventBatchCodec();
  return codec.encode(events);
}

/**
 * The events' bytes as `AppendRequest.events` entries (field 2). `EventBatch.events` is field 1
 * with the same wire type, so only each entry's one-byte tag differs: re-tag instead of re-encode.
 */
export function asAppendRequestEvents(eventBatch: Uint8Array): Buffer {
  const out = Buffer.from(eventBatch);
  let at = 0;
  while (at < out.length) {
    if (out[at] !== 0x0a) throw new Error(`unexpected tag ${out[at]} in an EventBatch`);
    out[at++] = 0x12;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = out[at++];
      length += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += length;
  }
  return out;
}

export function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

/** A length-delimited field: tag, length, bytes. */
export function lengthDelimited(fieldNumber: number, ...parts: Uint8Array[]): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return Buffer.concat([varint((fieldNumber << 3) | 2), varint(length), ...parts]);
}
