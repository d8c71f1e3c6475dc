// QueryLogs: log records by filter, time range and text, merged across partitions in store order, in stable pages.
import { invalidArgument } from '../common/grpc-errors.js';
import type { QueryLogsRequest__Output } from '../common/gen/runlog/v1/QueryLogsRequest.js';
import type { LogRecordsWire } from '../common/log-records-wire.js';
import type { Position } from '../common/read-protocol.js';
import { timestampToMicros } from '../common/values.js';
import { decodePageToken, encodeCursorAt, encodeToken, type PageToken } from './cursor.js';
import { toFilterSpec } from './filter.js';
import { pageSize } from './paging.js';
import type { PartitionReader } from './partitions.js';

/**
 * The QueryLogsResponse, encoded: the persisters send their records as encoded StoredEvents, which
 * are merged and passed on without being decoded (see log-records-wire.ts).
 */
export async function queryLogs(reader: PartitionReader, wire: LogRecordsWire, request: QueryLogsRequest__Output): Promise<Buffer> {
  const filter = toFilterSpec(request.filter);
  const limit = pageSize(request.pageSize);
  const descending = request.order === 'ORDER_DESCENDING';
  const startMicros = timestampToMicros(request.startTime)?.toString();
  const endMicros = timestampToMicros(request.endTime)?.toString();
  if (startMicros && endMicros && BigInt(startMicros) >= BigInt(endMicros)) throw invalidArgument('start_time: must be before end_time');
  const fingerprint = JSON.stringify([filter, startMicros, endMicros, request.contains, descending]);
  const token = request.pageToken ? decodePageToken(request.pageToken, fingerprint) : undefined;

  const partitions = filter.workflowId ? [reader.partitionOf(filter.workflowId)] : Array.from({ length: reader.partitionCount }, (_, p) => p);
  if (token && token.upTo.length !== partitions.length) throw invalidArgument('page_token: belongs to a request with other parameters');
  // The first page fixes each partition's upper bound (the persister's watermark, which it reports
  // as upTo), so later pages neither skip nor repeat rows while new data arrives.
  const answers = await Promise.all(
    partitions.map((partition, i) =>
      reader.ask(partition, {
        op: 'logs', filter, startMicros, endMicros, contains: request.contains || undefined, descending,
        after: token?.after, upTo: token?.upTo[i], limit,
      }),
    ),
  );
  const upTo = answers.map((answer) => answer.result.upTo);
  const merged = answers.flatMap((answer, i) => {
    if (!answer.bytes) throw new Error(`partition ${partitions[i]} answered a logs read without records`);
    return wire.unframe(answer.bytes);
  });
  const direction = descending ? -1 : 1;
  merged.sort((a, b) => direction * (a.seq - b.seq || a.idx - b.idx));
  const more = merged.length > limit || answers.some((answer) => answer.result.next);
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  const next: PageToken | undefined = more && last ? { after: [last.seq, last.idx] as Position, upTo, request: fingerprint } : undefined;
  // Stream sequences order every partition alike, so "after this record" is the same position in each.
  return wire.queryLogsResponse(
    page.map((record) => ({ storedEvent: record.storedEvent, cursor: encodeCursorAt([record.seq, record.idx], reader.partitionCount) })),
    next ? encodeToken(next) : '',
  );
}
