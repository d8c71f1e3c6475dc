// Events read from the stream, given the form the persister stores them in.
import type { Event__Output } from '../common/gen/runlog/v1/Event.js';
import { millisToTimestamp } from '../common/values.js';

/**
 * Live events must look like stored ones: the ingest time where the agent sent none, and times at
 * DuckDB's microsecond resolution (a resumed subscription may meet the same event from history).
 */
export function asStored(event: Event__Output, ingestMicros: bigint): void {
  const body = event[event.kind as keyof Event__Output] as { time?: { nanos: number } | null } | null | undefined;
  if (!body || typeof body !== 'object' || !('time' in body)) return;
  if (body.time) body.time.nanos -= body.time.nanos % 1000;
  else Object.assign(body, { time: millisToTimestamp(Number(ingestMicros) / 1000) });
}
