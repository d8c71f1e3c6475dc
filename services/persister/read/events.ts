// Reads of stored events for Subscribe history and QueryLogs: filtered, ordered by position, paged.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogRecordsWire } from '../../common/wire/log-page.js';
import { STORED_LEVELS } from '../../common/enums.js';
import { EVENT_KINDS, MAX_READ_LIMIT, TASK_KINDS, WithBytes, type EventFilterSpec, type EventKindName, type LogsPage, type Page, type ReadRequest, type StoredEventRow } from '../../common/read-protocol.js';
import { selectLogRecords } from './log-page-rows.js';
import type { RunExtents, SeqExtent } from '../index/run-extents.js';
import { KIND_COLUMNS, KIND_TABLE, rowToStoredEvent } from './stored-rows.js';
import { positionLiteral, selectRows, selectValueRows, Where } from './sql.js';


type EventsRequest = Extract<ReadRequest, { op: 'events' }>;
type LogsRequest = Extract<ReadRequest, { op: 'logs' }>;

export async function readEvents(connection: DuckDBConnection, request: EventsRequest, context: Pick<ReadContext, 'runExtents'>): Promise<Page<StoredEventRow>> {
  const limit = clampLimit(request.limit);
  const extent = await seqExtent(connection, request.filter, context.runExtents);
  if (extent === 'none') return { items: [] };
  const kinds = (request.filter.kinds?.length ? request.filter.kinds : EVENT_KINDS).filter(
    (kind) => !request.filter.taskName || TASK_KINDS.has(kind),
  );
  // One connection runs one query at a time, so the kinds are read in turn.
  const merged: StoredEventRow[] = [];
  for (const kind of kinds) {
    const where = filterWhere(kind, request.filter, extent, request.upTo).afterPosition(request.after);
    if (request.sinceMicros) where.add('ingest_time >= make_timestamptz(?::BIGINT)', BigInt(request.sinceMicros));
    const rows = await selectRows(connection, `SELECT ${KIND_COLUMNS[kind]} FROM ${KIND_TABLE[kind]} WHERE ${where} ORDER BY seq, idx LIMIT ${limit + 1}`, where.values);
    for (const row of rows) merged.push(rowToStoredEvent(kind, row));
  }
  merged.sort((a, b) => a.seq - b.seq || a.idx - b.idx);
  return toPage(merged, limit);
}

/** What a read gets beside its connection and request. */
export interface ReadContext {
  wire: LogRecordsWire;
  /** The partition's watermark when the request came in. */
  watermark: number;
  runExtents: RunExtents;
}

/** A page of log records, already in their wire form (common/wire/log-page.ts); read up to request.upTo, or else the watermark. */
export async function readLogs(connection: DuckDBConnection, request: LogsRequest, context: ReadContext): Promise<WithBytes<LogsPage>> {
  const limit = clampLimit(request.limit);
  const upTo = request.upTo ?? context.watermark;
  const extent = await seqExtent(connection, request.filter, context.runExtents);
  if (extent === 'none') return new WithBytes({ upTo }, context.wire.framePage([]));
  const where = filterWhere('log', request.filter, extent, upTo).afterPosition(request.after, request.descending);
  if (request.startMicros) where.add('time >= make_timestamptz(?::BIGINT)', BigInt(request.startMicros));
  if (request.endMicros) where.add('time < make_timestamptz(?::BIGINT)', BigInt(request.endMicros));
  if (request.contains) where.add('strpos(message, ?) > 0', request.contains);
  const select = (orderBy: string) => selectLogRecords(connection, request.filter, `WHERE ${where} ${orderBy} LIMIT ${limit + 1}`, where.values);
  // Rows are appended in stream order, and DuckDB keeps a table's order through WHERE and LIMIT
  // (preserve_insertion_order): ascending, the ORDER BY, which costs a third of the read, is left
  // out. Should the rows still come out of order, they are read again sorted.
  let records = request.descending ? await select('ORDER BY seq DESC, idx DESC') : await select('');
  if (!request.descending && !inStoreOrder(records)) records = await select('ORDER BY seq, idx');
  const page = toPage(records, limit);
  return new WithBytes({ upTo, next: page.next }, context.wire.framePage(page.items));
}

function inStoreOrder(records: readonly Positioned[]): boolean {
  for (let i = 1; i < records.length; i++) {
    const [record, previous] = [records[i], records[i - 1]];
    if (record.seq < previous.seq || (record.seq === previous.seq && record.idx <= previous.idx)) return false;
  }
  return true;
}

function clampLimit(limit: number): number {
  return Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(limit) || MAX_READ_LIMIT));
}

/** What has a position in the partition. */
interface Positioned {
  seq: number;
  idx: number;
}

function toPage<T extends Positioned>(sorted: T[], limit: number): Page<T> {
  if (sorted.length <= limit) return { items: sorted };
  const items = sorted.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: [last.seq, last.idx] };
}

type Extent = SeqExtent | null | 'none';

/** Where a workflow's or run's events lie ('none': nowhere; null: no narrowing asked for). */
async function seqExtent(connection: DuckDBConnection, filter: EventFilterSpec, runExtents: RunExtents): Promise<Extent> {
  if (!filter.workflowId) return null;
  if (filter.runId) return (await runExtents.extentOf(connection, filter.workflowId, filter.runId)) ?? 'none';
  const [row] = await selectValueRows(connection, 'SELECT min(first_seq)::DOUBLE AS first, max(last_seq)::DOUBLE AS last FROM run_extents WHERE workflow_id = ?', [filter.workflowId]);
  if (!row || row.first === null) return 'none';
  return { first: row.first as number, last: row.last as number };
}

function filterWhere(kind: EventKindName, filter: EventFilterSpec, extent: Extent, upTo: number): Where {
  const where = new Where().add(`seq <= ${positionLiteral(upTo)}`);
  if (extent && extent !== 'none') where.add(`seq BETWEEN ${positionLiteral(extent.first)} AND ${positionLiteral(extent.last)}`);
  // DuckDB tests a scan's filters in the order written, each on the rows the ones before let
  // through: the run's, which lets far fewer through than the workflow's, goes first.
  if (filter.runId) where.add('run_id = ?', filter.runId);
  if (filter.workflowId) where.add('workflow_id = ?', filter.workflowId);
  if (filter.taskName && TASK_KINDS.has(kind)) where.add('task_name = ?', filter.taskName);
  if (kind === 'log' && filter.minLevel) {
    const allowed = STORED_LEVELS.slice(Math.max(0, STORED_LEVELS.indexOf(filter.minLevel)));
    where.add(`level IN (${allowed.map(() => '?').join(', ')})`, ...allowed);
  }
  return where;
}
