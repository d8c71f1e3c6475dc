// How the CLI writes: colours only on a terminal without NO_COLOR, tables for people, JSON for scripts.
import pc from 'picocolors';
import Table from 'cli-table3';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Output {
  readonly colors: Colors;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  line(text?: string): void;
  json(value: unknown): void;
  table(head: string[], rows: (string | number)[][]): void;
  warn(text: string): void;
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const colors = pc.createColors(colorEnabled(stdout));
  return {
    colors,
    stdoutIsTty: Boolean(stdout.isTTY),
    stderrIsTty: Boolean(stderr.isTTY),
    line: (text = '') => void stdout.write(`${text}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, jsonReplacer)}\n`),
    table(head, rows) {
      const table = new Table({
        head: head.map((title) => colors.bold(title)),
        // cli-table3 colours its head red and its borders grey by itself: we decide colours here.
        style: { head: [], border: [] },
        wordWrap: false,
      });
      for (const row of rows) table.push(row.map(String));
      stdout.write(`${table.toString()}\n`);
    },
    warn: (text) => void stderr.write(`${text}\n`),
  };
}

/** JSON of SDK values: bigints as numbers' text, Dates as ISO strings (JSON.stringify does those already). */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function formatTime(date: Date | null | undefined): string {
  if (!date || date.getTime() === 0) return '';
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** `STATUS_RUNNING` → `RUNNING`, `LOG_LEVEL_INFO` → `INFO`. */
export const shortName = (name: string | number | null | undefined): string => String(name ?? '').replace(/^STATUS_|^LOG_LEVEL_|^EVENT_KIND_/, '');

export function colorStatus(colors: Colors, status: string): string {
  const short = shortName(status);
  switch (short) {
    case 'COMPLETED':
      return colors.green(short);
    case 'FAILED':
    case 'CRASHED':
      return colors.red(short);
    case 'RUNNING':
      return colors.cyan(short);
    case 'WAITING':
    case 'PENDING':
      return colors.yellow(short);
    case 'CANCELLED':
    case 'SKIPPED':
      return colors.dim(short);
    default:
      return short;
  }
}

export function colorLevel(colors: Colors, level: string): string {
  const short = shortName(level).padEnd(5);
  switch (short.trim()) {
    case 'TRACE':
    case 'DEBUG':
      return colors.dim(short);
    case 'INFO':
      return colors.green(short);
    case 'WARN':
      return colors.yellow(short);
    case 'ERROR':
      return colors.red(short);
    case 'FATAL':
      return colors.bold(colors.red(short));
    default:
      return short;
  }
}
