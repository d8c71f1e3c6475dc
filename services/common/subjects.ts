// NATS subject names: partitioning by workflow, reversible escaping of ids into one token.
import { createHash } from 'node:crypto';

// Kept verbatim in a token; everything else (the escape mark '%' too) becomes %XX per UTF-8
// byte. NATS treats '.', '*', '>' and whitespace specially, so none of them can survive.
const SAFE_BYTE = /^[A-Za-z0-9_\-]$/;

export function escapeSubjectToken(id: string): string {
  let out = '';
  for (const char of id) {
    if (SAFE_BYTE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function unescapeSubjectToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The partition that owns a workflow: stable across processes, versions and languages
 * (first 4 bytes of SHA-256 of the UTF-8 id, big-endian, modulo the count).
 */
export function partitionOf(workflowId: string, partitionCount: number): number {
  const digest = createHash('sha256').update(workflowId, 'utf8').digest();
  return digest.readUInt32BE(0) % partitionCount;
}

export class Subjects {
  constructor(
    readonly prefix: string,
    readonly partitionCount: number,
  ) {}

  /** Subject of one workflow's event batches. */
  events(workflowId: string): string {
    return `${this.prefix}.ev.${partitionOf(workflowId, this.partitionCount)}.${escapeSubjectToken(workflowId)}`;
  }

  /** Every event subject of the stream. */
  allEvents(): string {
    return `${this.prefix}.ev.>`;
  }

  /** Every event subject of one partition. */
  partitionEvents(partition: number): string {
    return `${this.prefix}.ev.${partition}.>`;
  }

  /** Read requests for one partition's persister. */
  read(partition: number): string {
    return `${this.prefix}.read.${partition}`;
  }

  /** The workflow id carried by an event subject. */
  workflowOf(subject: string): string {
    return unescapeSubjectToken(subject.slice(subject.lastIndexOf('.') + 1));
  }
}
