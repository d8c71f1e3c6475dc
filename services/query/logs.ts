// QueryLogs: log records by filter, time range and text, merged across partitions in store order, in stable pages.
import { invalidArgument } from '../common/grpc-errors.js';
import type { QueryLogsRequest__Output } from '../common/gen/runlog/v1/QueryLogsRequest.js';
import type { QueryLogsResponse } from '../common/gen/runlog/v1/QueryLogsResponse.js';
import type { Position, StoredEventRow } from '../common/read-protocol.js';
import { timestampToMicros } from '../common/values.js';
import { decodePageToken, encodeCursor, encodeToken, type PageToken } from './cursor.js';
import { toFilterSpec } from './filter.js';
import { pageSize } from './paging.js';
import type { PartitionReader } from './partitions.js';
import { toStoredEvent } from './stored-event.js';

export async function queryLogs(reader: PartitionReader, request: QueryLogsRequest__Output): Promise<QueryLogsResponse> {
  const filter = toFilterSpec(request.filter);
  const limit = pageSize(request.pageSize);
  const descending = request.order === 'ORDER_DESCENDING';
  const startMicros = timestampToMicros(request.startTime)?.toString();
  const endMicros = timestampToMicros(request.endTime)?.toString();
  if (startMicros && endMicros && BigInt(startMicros) >= BigInt(endMicros)) throw invalidArgument('start_time: must be before end_time');
  const fingerprint = JSON.stringify([filter, startMicros, endMicros, request.contains, descending]);
  const token = request.pageToken ? decodePageToken(request.pageToken, fingerprint) : undefined;

  const partitions = filter.workflowId ? [reader.partitionOf(filter.workflowId)] : Array.from({ length: reader.partitionCount }, (_, p) => p);
  // The first page fixes each partition's upper bound, so later pages neither skip nor repeat
  // rows while new data arrives.
  const upTo = token?.upTo ?? (await Promise.all(partitions.map(async (p) => (await reader.ask(p, { op: 'watermark' })).result.watermark)));
  if (upTo.length !== partitions.length) throw invalidArgument('page_token: belongs to a request with other parameters');
  const answers = await Promise.all(
    partitions.map((partition, i) =>
      reader.ask(partition, {
        op: 'logs', filter, startMicros, endMicros, contains: request.contains || undefined, descending,
        after: token?.after, upTo: upTo[i], limit,
      }),
    ),
  );
  const merged = answers.flatMap((answer) => answer.result.items);
  const direction = descending ? -1 : 1;
  merged.sort((a, b) => direction * (a.seq - b.seq || a.idx - b.idx));
  const more = merged.length > limit || answers.some((answer) => answer.result.next);
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  const next: PageToken | undefined = more && last ? { after: [last.seq, last.idx] as Position, upTo, request: fingerprint } : undefined;
  // Stream sequences order every partition alike, so "after this record" is the same position in each.
  const cursorAfter = (row: StoredEventRow) => encodeCursor({ positions: Array.from({ length: reader.partitionCount }, () => [row.seq, row.idx] as Position) });
  return { records: page.map((row) => toStoredEvent(row, cursorAfter(row))), nextPageToken: next ? encodeToken(next) : '' };
}
