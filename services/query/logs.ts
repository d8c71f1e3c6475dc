// QueryLogs: log records by filter, time range and text, merged across partitions in store order, in stable pages.
import { invalidArgument } from '../common/grpc-errors.js';
import type { QueryLogsRequest__Output } from '../common/gen/runlog/v1/QueryLogsRequest.js';
import type { LogRecordsWire, WireRecord } from '../common/wire/log-page.js';
import type { EventFilterSpec, Position, StoredEventRow } from '../common/read-protocol.js';
import { timestampToMicros } from '../common/values.js';
import { cursorJsonBuffer, decodePageToken, encodeToken, writeCursorJsonAt, type PageToken } from './cursor.js';
import { matchesFilter, toFilterSpec } from './filter.js';
import type { UnstoredTail, StreamTail } from './unstored-tail.js';
import { pageSize } from './paging.js';
import type { PersisterClient } from './persister-client.js';

/** What selects a query's records beside their position. */
interface LogSelection {
  filter: EventFilterSpec;
  startMicros?: string;
  endMicros?: string;
  contains?: string;
}

/**
 * The QueryLogsResponse, encoded: the persisters send their records as encoded StoredEvents, which
 * are merged and passed on without being decoded (see log-records-wire.ts).
 */
export async function queryLogs(reader: PersisterClient, unstoredTail: UnstoredTail, wire: LogRecordsWire, request: QueryLogsRequest__Output): Promise<Buffer> {
  const filter = toFilterSpec(request.filter);
  const limit = pageSize(request.pageSize);
  const descending = request.order === 'ORDER_DESCENDING';
  const startMicros = timestampToMicros(request.startTime)?.toString();
  const endMicros = timestampToMicros(request.endTime)?.toString();
  if (startMicros && endMicros && BigInt(startMicros) >= BigInt(endMicros)) throw invalidArgument('start_time: must be before end_time');
  const selection: LogSelection = { filter, startMicros, endMicros, contains: request.contains || undefined };
  const fingerprint = JSON.stringify([filter, startMicros, endMicros, request.contains, descending]);
  const token = request.pageToken ? decodePageToken(request.pageToken, fingerprint) : undefined;

  const partitions = filter.workflowId ? [reader.partitionOf(filter.workflowId)] : Array.from({ length: reader.partitionCount }, (_, p) => p);
  if (token && token.upTo.length !== partitions.length) throw invalidArgument('page_token: belongs to a request with other parameters');
  // One workflow's first page also takes what the stream holds of it beyond the persister's last
  // watermark, read at the same time: an acked record is queryable before its commit.
  const tailFrom = filter.workflowId && !token ? reader.lastWatermark(partitions[0]) : undefined;
  // The first page fixes each partition's upper bound (the persister's watermark, which it reports
  // as upTo, or the tail's end), so later pages neither skip nor repeat rows while new data
  // arrives; a later page waits until its persister stored up to it.
  const [answers, tail] = await Promise.all([
    Promise.all(
      partitions.map((partition, i) =>
        reader.ask(partition, {
          op: 'logs', ...selection, descending, after: token?.after, upTo: token?.upTo[i], minSeq: token?.upTo[i], limit,
        }),
      ),
    ),
    tailFrom === undefined ? undefined : unstoredTail.tailAfter(filter.workflowId!, tailFrom),
  ]);
  const upTo = answers.map((answer) => answer.result.upTo);
  const merged = answers.flatMap((answer, i) => {
    if (!answer.bytes) throw new Error(`partition ${partitions[i]} answered a logs read without records`);
    return wire.unframe(answer.bytes);
  });
  // A tail that began above what the persister answered from (the stream was replaced) is not used.
  if (tail?.complete && tailFrom! <= upTo[0]) {
    merged.push(...unstoredRecords(wire, tail, upTo[0], selection));
    upTo[0] = Math.max(upTo[0], tail.messages.at(-1)?.seq ?? 0);
  }
  const direction = descending ? -1 : 1;
  merged.sort((a, b) => direction * (a.seq - b.seq || a.idx - b.idx));
  const more = merged.length > limit || answers.some((answer) => answer.result.next);
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  const next: PageToken | undefined = more && last ? { after: [last.seq, last.idx] as Position, upTo, request: fingerprint } : undefined;
  // Stream sequences order every partition alike, so "after this record" is the same position in each.
  return wire.queryLogsResponse(
    page,
    (record, into) => writeCursorJsonAt([record.seq, record.idx], reader.partitionCount, into),
    cursorJsonBuffer(reader.partitionCount),
    next ? encodeToken(next) : '',
  );
}

/**
 * The log records of the tail's messages above `storedSeq`, as the persister will store them, that
 * the query selects: the same tests as its SQL (read-events.ts), done on the decoded events.
 */
function unstoredRecords(wire: LogRecordsWire, tail: StreamTail, storedSeq: number, selection: LogSelection): WireRecord[] {
  const start = selection.startMicros === undefined ? undefined : BigInt(selection.startMicros);
  const end = selection.endMicros === undefined ? undefined : BigInt(selection.endMicros);
  const rows: StoredEventRow[] = [];
  for (const message of tail.messages) {
    if (message.seq <= storedSeq) continue;
    message.events.forEach((event, idx) => {
      if (event.kind !== 'log' || !event.log || !matchesFilter(selection.filter, event)) return;
      const time = timestampToMicros(event.log.time)!;
      if ((start !== undefined && time < start) || (end !== undefined && time >= end)) return;
      if (selection.contains && !event.log.message.includes(selection.contains)) return;
      rows.push({ seq: message.seq, idx, ingestMicros: message.ingestMicros.toString(), event });
    });
  }
  return rows.length === 0 ? [] : wire.unframe(wire.framePage(rows.map(wire.recordBytes)));
}
