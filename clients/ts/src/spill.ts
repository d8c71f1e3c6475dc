// The logger's spill file: append-only, checksummed records of whole batches (and of their acks), fsynced as they are written.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type protobuf from 'protobufjs';
import type { AppendRequest } from './gen/runlog/v1/AppendRequest.js';

// Record: u32 payload length, u32 CRC-32 of the payload, payload. Payload: one kind byte, then
// BATCH: the AppendRequest (request_id and events) in protobuf; ACK: the request_id in UTF-8.
const HEADER_BYTES = 8;
const BATCH = 1;
const ACK = 2;
// A length past this is a torn or foreign header, not a batch we wrote (ingest refuses requests over 16 MiB anyway).
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const FILE_PATTERN = /^spill-(\d+)-([0-9a-f]+)\.log$/;

export interface SpilledBatch {
  requestId: string;
  /** Where the record lies, to read it back when its turn comes. */
  offset: number;
  length: number;
  events: number;
}

/** One spill file, open for appending and reading back. */
export class SpillFile {
  private readonly fd: number;
  private size: number;

  private constructor(
    readonly path: string,
    private readonly requestType: protobuf.Type,
  ) {
    this.fd = openSync(path, 'a+');
    this.size = fstatSync(this.fd).size;
  }

  static create(dir: string, requestType: protobuf.Type): SpillFile {
    mkdirSync(dir, { recursive: true });
    return new SpillFile(join(dir, `spill-${process.pid}-${randomBytes(6).toString('hex')}.log`), requestType);
  }

  static open(path: string, requestType: protobuf.Type): SpillFile {
    return new SpillFile(path, requestType);
  }

  /** Appends batches and makes them durable (one fdatasync for all of them); answers where each lies. */
  appendBatches(requests: readonly AppendRequest[]): SpilledBatch[] {
    const placed: SpilledBatch[] = [];
    const chunks: Buffer[] = [];
    for (const request of requests) {
      const body = this.requestType.encode(this.requestType.fromObject(request)).finish();
      const record = frame(BATCH, body);
      placed.push({ requestId: request.requestId!, offset: this.size, length: record.length, events: request.events?.length ?? 0 });
      this.size += record.length;
      chunks.push(record);
    }
    writeAll(this.fd, Buffer.concat(chunks));
    fdatasyncSync(this.fd);
    return placed;
  }

  /**
   * Notes that a batch was stored. Not synced on its own: an ack lost in a crash makes the next agent
   * resend the batch with the same request_id, which the service stores once within its duplicate window.
   */
  appendAck(requestId: string): void {
    const record = frame(ACK, Buffer.from(requestId, 'utf8'));
    writeAll(this.fd, record);
    this.size += record.length;
  }

  sync(): void {
    fdatasyncSync(this.fd);
  }

  read(batch: SpilledBatch): AppendRequest {
    const record = Buffer.alloc(batch.length);
    readFully(this.fd, record, batch.offset);
    const parsed = parseRecord(record, 0);
    if (!parsed || parsed.kind !== BATCH) throw new Error(`spill file ${this.path}: record at ${batch.offset} is damaged`);
    return this.decode(parsed.payload);
  }

  /**
   * The batches not acked, in the order they were written. A torn tail (a crash mid-write) ends the
   * scan and is cut off, so the acks appended from now on are read by the next scan.
   */
  scan(): { pending: SpilledBatch[]; acked: number; tornBytes: number } {
    const length = this.size;
    const batches = new Map<string, SpilledBatch>();
    const header = Buffer.alloc(HEADER_BYTES);
    let acked = 0;
    let offset = 0;
    while (offset + HEADER_BYTES <= length) {
      readFully(this.fd, header, offset);
      const payloadLength = header.readUInt32LE(0);
      if (payloadLength < 1 || payloadLength > MAX_RECORD_BYTES || offset + HEADER_BYTES + payloadLength > length) break;
      const record = Buffer.alloc(HEADER_BYTES + payloadLength);
      readFully(this.fd, record, offset);
      const parsed = parseRecord(record, 0);
      if (!parsed) break;
      if (parsed.kind === BATCH) {
        const request = this.decode(parsed.payload);
        batches.set(request.requestId!, { requestId: request.requestId!, offset, length: record.length, events: request.events?.length ?? 0 });
      } else if (parsed.kind === ACK) {
        if (batches.delete(parsed.payload.toString('utf8'))) acked++;
      }
      offset += record.length;
    }
    const tornBytes = length - offset;
    if (tornBytes > 0) {
      ftruncateSync(this.fd, offset);
      this.size = offset;
    }
    return { pending: [...batches.values()].sort((a, b) => a.offset - b.offset), acked, tornBytes };
  }

  close(): void {
    closeSync(this.fd);
  }

  remove(): void {
    this.close();
    unlinkSync(this.path);
  }

  private decode(payload: Buffer): AppendRequest {
    return this.requestType.toObject(this.requestType.decode(payload), { longs: Number, enums: String, defaults: true, oneofs: true, arrays: true }) as AppendRequest;
  }
}

/**
 * Takes over the spill files in `dir` whose writer is gone (its process no longer runs): each is
 * renamed to a name of this process first, so of two agents starting at once only one replays it.
 * Oldest first.
 */
export function claimOrphanedSpills(dir: string, requestType: protobuf.Type): SpillFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const orphans = names
    .map((name) => ({ name, match: FILE_PATTERN.exec(name) }))
    .filter(({ match }) => match !== null && Number(match[1]) !== process.pid && !processRuns(Number(match[1])))
    .map(({ name }) => ({ path: join(dir, name), mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.mtime - b.mtime);
  const claimed: SpillFile[] = [];
  for (const orphan of orphans) {
    const target = join(dir, `spill-${process.pid}-${randomBytes(6).toString('hex')}.log`);
    try {
      renameSync(orphan.path, target);
    } catch {
      continue; // another agent claimed it first
    }
    claimed.push(SpillFile.open(target, requestType));
  }
  return claimed;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function frame(kind: number, body: Uint8Array): Buffer {
  const payload = Buffer.alloc(1 + body.length);
  payload[0] = kind;
  payload.set(body, 1);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

function parseRecord(buffer: Buffer, offset: number): { kind: number; payload: Buffer; end: number } | undefined {
  if (offset + HEADER_BYTES > buffer.length) return undefined;
  const length = buffer.readUInt32LE(offset);
  const checksum = buffer.readUInt32LE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (length < 1 || length > MAX_RECORD_BYTES || end > buffer.length) return undefined;
  const payload = buffer.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== checksum) return undefined;
  return { kind: payload[0], payload: payload.subarray(1), end };
}

function writeAll(fd: number, buffer: Buffer): void {
  let written = 0;
  while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, position + read);
    if (n === 0) throw new Error('spill file ended early');
    read += n;
  }
}
