// A stored row as the runlog.v1.StoredEvent clients receive.
import type { StoredEvent } from '../common/gen/runlog/v1/StoredEvent.js';
import type { StoredEventRow } from '../common/read-protocol.js';
import { microsToTimestamp } from '../common/values.js';

export function toStoredEvent(row: Pick<StoredEventRow, 'event' | 'ingestMicros'>, cursor: string): StoredEvent {
  return { event: row.event, cursor, ingestTime: microsToTimestamp(BigInt(row.ingestMicros)) };
}
