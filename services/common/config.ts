// Service configuration: environment variables over an optional JSON file, validated at start.
import { readFileSync } from 'node:fs';

/** One setting: where it comes from, its default, and how its text becomes a value. */
export interface Setting<T> {
  env: string;
  default?: T;
  parse: (text: string) => T;
  help: string;
}

export type Spec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text.trim());
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`must be an integer from ${min} to ${max}`);
    return value;
  };
}

export function text(pattern?: RegExp): (value: string) => string {
  return (value) => {
    if (pattern && !pattern.test(value)) throw new Error(`must match ${pattern}`);
    return value;
  };
}

/** host:port, the form grpc-js binds and NATS dials. */
export const address = text(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):\d{1,5}$/);

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "30s", "2m", "7d" → milliseconds. */
export function duration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error('must be a duration such as 250ms, 30s, 2m, 7d');
  return Number(match[1]) * UNIT_MS[match[2]];
}

const SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** "512KiB", "4MiB", "1048576" → bytes. */
export function size(text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new Error('must be a size such as 65536, 512KiB, 4MiB, 1GiB');
  return Number(match[1]) * UNIT_BYTES[match[2] ?? 'B'];
}

/**
 * Reads every setting of the spec from `env`, falling back to the JSON file named by
 * RUNLOG_CONFIG_FILE (keys are the env names), then to the default. All problems are
 * reported at once so an operator fixes them in one go.
 */
export function loadConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const file = readConfigFile(env.RUNLOG_CONFIG_FILE);
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.env] ?? file[setting.env];
    if (raw === undefined || raw === '') {
      if (setting.default === undefined) problems.push(`${setting.env} is required: ${setting.help}`);
      else config[key] = setting.default;
      continue;
    }
    try {
      config[key] = setting.parse(String(raw));
    } catch (error) {
      problems.push(`${setting.env}=${JSON.stringify(String(raw))} ${(error as Error).message} (${setting.help})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as ConfigOf<S>;
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`RUNLOG_CONFIG_FILE=${path}: cannot read it as JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`RUNLOG_CONFIG_FILE=${path}: must hold a JSON object of setting names to values`);
  }
  return parsed as Record<string, unknown>;
}

/** Settings every service shares. */
export const COMMON_SPEC = {
  natsUrl: { env: 'RUNLOG_NATS_URL', parse: text(/^(nats|tls):\/\/\S+$|^[^\s/]+:\d+$/), help: 'NATS server URL, e.g. nats://127.0.0.1:4222' },
  subjectPrefix: { env: 'RUNLOG_SUBJECT_PREFIX', default: 'runlog', parse: text(/^[A-Za-z0-9_\-]+$/), help: 'first token of every NATS subject' },
  streamName: { env: 'RUNLOG_STREAM', default: 'RUNLOG', parse: text(/^[A-Za-z0-9_\-]+$/), help: 'JetStream stream name' },
  partitions: { env: 'RUNLOG_PARTITIONS', default: 1, parse: integer(1, 1024), help: 'number of partitions (persisters)' },
  logLevel: { env: 'RUNLOG_LOG_LEVEL', default: 'info', parse: text(/^(debug|info|warn|error)$/), help: 'debug, info, warn or error' },
} satisfies Spec;

/** Settings that a service and `npm start` (services/up.ts) both read, declared once. */
export const INGEST_ADDRESS = { env: 'RUNLOG_INGEST_ADDR', default: '127.0.0.1:7070', parse: address, help: 'host:port of the ingest gRPC server' };
export const QUERY_ADDRESS = { env: 'RUNLOG_QUERY_ADDR', default: '127.0.0.1:7071', parse: address, help: 'host:port of the query gRPC server' };
export const DATA_DIR = { env: 'RUNLOG_DATA_DIR', default: './data', parse: text(/./), help: 'folder of the DuckDB files (npm start keeps its local NATS store there too)' };

/** loadConfig for a service's main: a bad setting ends the process with exit code 78 (EX_CONFIG) and the list of problems. */
export function loadConfigOrExit<S extends Spec>(spec: S, service: string): ConfigOf<S> {
  try {
    return loadConfig(spec);
  } catch (error) {
    process.stderr.write(`runlog ${service}: ${(error as Error).message}\n`);
    process.exit(78);
  }
}
