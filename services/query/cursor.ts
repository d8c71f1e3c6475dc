// Subscribe cursors and page tokens: opaque to clients, validated when they come back.
import { invalidArgument } from '../common/grpc-errors.js';
import type { Position } from '../common/read-protocol.js';

/** Where a subscription stands in every partition, plus the since-floor it started with. */
export interface SubscriptionCursor {
  positions: Position[];
  sinceMicros?: string;
}

// The largest idx: "after every event of that message".
export const END_OF_MESSAGE = 2 ** 31 - 1;

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument(`${what}: not a token this service issued`);
  }
}

const isPosition = (value: unknown): value is Position =>
  Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && n >= 0);

export function encodeCursor(cursor: SubscriptionCursor): string {
  return encodeToken({ v: 1, p: cursor.positions, s: cursor.sinceMicros });
}

const CURSOR_HEAD = Buffer.from('{"v":1,"p":[', 'latin1');
// Per partition: two integers of at most 16 digits, brackets and commas.
const cursorJsonBound = (partitionCount: number) => CURSOR_HEAD.length + 2 + partitionCount * 40;

/**
 * The JSON text of encodeCursor's cursor at one position in every partition, as ASCII bytes written
 * into `into` from its start; returns their length. QueryLogs gives every record one, so it writes
 * them into its response without building an object or a string per record.
 */
export function writeCursorJsonAt(position: Position, partitionCount: number, into: Buffer): number {
  let at = CURSOR_HEAD.copy(into, 0);
  for (let partition = 0; partition < partitionCount; partition++) {
    if (partition > 0) into[at++] = 0x2c; // ,
    into[at++] = 0x5b; // [
    at = writeDecimal(position[0], into, at);
    into[at++] = 0x2c;
    at = writeDecimal(position[1], into, at);
    into[at++] = 0x5d; // ]
  }
  into[at++] = 0x5d;
  into[at++] = 0x7d; // }
  return at;
}

/** A non-negative safe integer in decimal digits; returns where it ended. */
function writeDecimal(value: number, into: Buffer, at: number): number {
  const start = at;
  do {
    into[at++] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  } while (value > 0);
  into.subarray(start, at).reverse();
  return at;
}

/** A reusable buffer for writeCursorJsonAt, large enough for that many partitions. */
export function cursorJsonBuffer(partitionCount: number): Buffer {
  return Buffer.allocUnsafe(cursorJsonBound(partitionCount));
}

export function decodeCursor(token: string, partitionCount: number): SubscriptionCursor {
  const raw = decodeToken(token, 'after_cursor') as { v?: unknown; p?: unknown; s?: unknown };
  if (raw?.v !== 1 || !Array.isArray(raw.p) || !raw.p.every(isPosition) || (raw.s !== undefined && typeof raw.s !== 'string')) {
    throw invalidArgument('after_cursor: not a cursor this service issued');
  }
  if (raw.p.length !== partitionCount) {
    throw invalidArgument(`after_cursor: made for ${raw.p.length} partitions, the service now has ${partitionCount}`);
  }
  return { positions: raw.p as Position[], sinceMicros: raw.s as string | undefined };
}

/** A page token: the position to continue after, the per-partition bounds fixed at the first page, and the request it belongs to. */
export interface PageToken {
  after: Position;
  upTo: number[];
  request: string;
}

export function decodePageToken(token: string, request: string): PageToken {
  const raw = decodeToken(token, 'page_token') as Partial<PageToken>;
  if (!raw || !isPosition(raw.after) || !Array.isArray(raw.upTo) || !raw.upTo.every((n) => Number.isSafeInteger(n) && n >= 0) || typeof raw.request !== 'string') {
    throw invalidArgument('page_token: not a token this service issued');
  }
  if (raw.request !== request) throw invalidArgument('page_token: belongs to a request with other parameters');
  return raw as PageToken;
}

/** A page token of a listing: the key to continue after, valid only for the same request. */
export function decodeListingToken<T>(token: string, fingerprint: string, isKey: (after: unknown) => after is T): T {
  const raw = decodeToken(token, 'page_token') as { after?: unknown; request?: unknown } | null;
  if (!raw || raw.request !== fingerprint || !isKey(raw.after)) throw invalidArgument('page_token: not a token this service issued for this request');
  return raw.after;
}
