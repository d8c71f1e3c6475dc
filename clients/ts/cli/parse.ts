// Parsing of the CLI's option values: times (`10m`, ISO dates), statuses, levels, key=value pairs.
import type { LogLevelName, StatusName } from '../src/types.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `10m`, `1h30m`, `2d` ago from `now`, or an absolute ISO-8601 time. */
export function parseTime(text: string, now = new Date()): Date {
  const relative = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(text);
  if (relative) {
    let ms = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(amount) * UNITS[unit];
    return new Date(now.getTime() - ms);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`not a time: '${text}' (use e.g. 10m, 2h, 1d or 2025-04-22T09:30:00Z)`);
  return date;
}

const STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED', 'SKIPPED'];
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function parseStatus(text: string): StatusName {
  const short = text.toUpperCase().replace(/^STATUS_/, '');
  if (!STATUSES.includes(short)) throw new UsageError(`not a status: '${text}' (one of ${STATUSES.join(', ').toLowerCase()})`);
  return `STATUS_${short}` as StatusName;
}

export function parseLevel(text: string): LogLevelName {
  const short = text.toUpperCase().replace(/^LOG_LEVEL_/, '').replace(/^WARNING$/, 'WARN');
  if (!LEVELS.includes(short)) throw new UsageError(`not a level: '${text}' (one of ${LEVELS.join(', ').toLowerCase()})`);
  return `LOG_LEVEL_${short}` as LogLevelName;
}

/** `k=v` into a map; commander calls it once per occurrence. */
export function collectPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

export function parseInteger(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`not an integer: '${text}'`);
  return Number(text);
}

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}
