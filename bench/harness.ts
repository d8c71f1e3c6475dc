// What every figure script shares: the Figure type, the run's temp folder, one nats-server per run, services on it, CPU accounting.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, startNatsServer, startService, waitForHealthy, type ManagedProcess } from '../scripts/local-cluster.js';

/** A bound a figure should meet: at least or at most a value. */
export type Target = { atLeast: number } | { atMost: number };

/** One measured number, as printed in the table and stored in the JSON result. */
export interface Figure {
  /** Stable key, e.g. `write.end_to_end`; ratios and result history refer to it. */
  id: string;
  title: string;
  value: number;
  unit: string;
  target?: Target;
  /** value ÷ another figure of the same run (a baseline), each with its own target. */
  ratios?: { to: string; target?: Target }[];
  /** Secondary numbers (latencies, CPU per process, settings) kept in the JSON, not the table. */
  details?: Record<string, unknown>;
  /** Printed under the table: what explains the figure (where its CPU went, what bounded it). */
  notes?: string[];
  /** Printed under the table, e.g. that other processes took cores during the measurement. */
  warnings?: string[];
}

/** A figure script: measures its figures with the run's shared resources. */
export interface FigureScript {
  /** Name on the command line (`npm run bench -- end-to-end`) and in the result. */
  name: string;
  /** The issue whose benchmark section asks for it. */
  issue: number;
  measure(context: BenchContext): Promise<Figure[]>;
}

export interface BenchContext {
  /** URL of the run's nats-server (JetStream, file store in the run's temp folder), started on first use. */
  natsUrl(): Promise<string>;
  /** The nats-server process, for CPU accounting; undefined until natsUrl() was called. */
  natsProcess(): ManagedProcess | undefined;
  /** A fresh folder inside the run's temp folder, removed when the run ends. */
  tempDir(name: string): string;
  /** Progress on stderr; the table goes to stdout. */
  progress(message: string): void;
}

/** The context as the runner holds it: it also cleans up between scripts and at the end. */
export interface BenchRun extends BenchContext {
  /**
   * Deletes every stream of the run's nats-server, once a script is done: the next one then does
   * not share the server with gigabytes of the last one's messages, which the server keeps
   * indexed and fsyncs every two minutes, possibly in the middle of the next script's measurement.
   */
  deleteStreams(): Promise<void>;
  close(): Promise<void>;
}

export function createBenchContext(): BenchRun {
  const root = mkdtempSync(join(tmpdir(), 'runlog-bench-'));
  let nats: ManagedProcess | undefined;
  let natsUrl: Promise<string> | undefined;
  let folders = 0;
  return {
    natsUrl() {
      natsUrl ??= (async () => {
        const port = await freePort();
        nats = await startNatsServer({ port, storeDir: join(root, 'nats') });
        return `nats://127.0.0.1:${port}`;
      })();
      return natsUrl;
    },
    natsProcess: () => nats,
    tempDir(name) {
      return mkdtempSync(join(root, `${String(++folders).padStart(2, '0')}-${name}-`));
    },
    progress(message) {
      process.stderr.write(`bench: ${message}\n`);
    },
    async deleteStreams() {
      if (!natsUrl) return;
      const nc = await connect({ servers: await natsUrl });
      try {
        const jsm = await jetstreamManager(nc);
        for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
      } finally {
        await nc.close();
      }
    },
    async close() {
      await nats?.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// The services' default stream limit (1 GiB) fills in seconds at full speed: benchmark streams get room.
export const BENCH_STREAM_BYTES = '8GiB';

export interface BenchServices {
  /** The running services by name, for their pids (CPU accounting) and output. */
  processes: Partial<Record<'persister' | 'ingest' | 'query', ManagedProcess>>;
  /** gRPC address of ingest and of query, when started. */
  ingestAddress: string;
  queryAddress: string;
  /** The persister's DuckDB file of partition 0 (readable once the persister stopped). */
  storeFile: string;
  /** Stops them, last started first; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * One partition's services as child processes on the run's nats-server, each figure with a stream,
 * subject prefix and data folder of its own so figures do not see each other's events. The
 * services otherwise run with their defaults (and RUNLOG_* settings of the bench's environment).
 */
export async function startServices(
  context: BenchContext,
  options: { name: string; stream: string; prefix: string; services: readonly ('ingest' | 'query')[] },
): Promise<BenchServices> {
  const dataDir = context.tempDir(options.name);
  const shared = {
    RUNLOG_NATS_URL: await context.natsUrl(),
    RUNLOG_STREAM: options.stream,
    RUNLOG_SUBJECT_PREFIX: options.prefix,
    RUNLOG_PARTITIONS: '1',
    RUNLOG_DATA_DIR: dataDir,
    RUNLOG_LOG_LEVEL: 'warn',
    RUNLOG_STREAM_MAX_BYTES: BENCH_STREAM_BYTES,
  };
  const [healthAddress, ingestAddress, queryAddress] = await Promise.all([1, 2, 3].map(async () => `127.0.0.1:${await freePort()}`));
  const started: ManagedProcess[] = [];
  const processes: BenchServices['processes'] = {};
  const stop = async () => {
    for (const service of started.splice(0).reverse()) await service.stop();
  };
  try {
    // The persister first: it creates the stream's consumer before any event arrives.
    processes.persister = startService('persister', { ...shared, RUNLOG_PARTITION: '0', RUNLOG_PERSISTER_HEALTH_ADDR: healthAddress });
    started.push(processes.persister);
    await waitForHealthy(healthAddress, processes.persister);
    for (const name of options.services) {
      const address = name === 'ingest' ? ingestAddress : queryAddress;
      const service = startService(name, { ...shared, [name === 'ingest' ? 'RUNLOG_INGEST_ADDR' : 'RUNLOG_QUERY_ADDR']: address });
      processes[name] = service;
      started.push(service);
      await waitForHealthy(address, service);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { processes, ingestAddress, queryAddress, storeFile: join(dataDir, 'partition-0.duckdb'), stop };
}

// Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ; 100 on every mainstream kernel).
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where /proc is missing. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat; NaN where it is missing. */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/**
 * Cores each named process kept busy between start and stop(): CPU seconds ÷ wall seconds, plus
 * `other processes`: what the rest of the machine used meanwhile (other work on a shared machine
 * takes cores from the figures; a run that shows much of it is not a clean measurement).
 * `extraCores` adds processes measured some other way (ones gone before stop).
 */
export function cpuMeter(processes: Record<string, number | undefined>): { stop(extraCores?: Record<string, number>): Record<string, number> } {
  const named = { bench: process.pid, ...processes };
  const startedAt = performance.now();
  const machineBefore = machineBusySeconds();
  const before = Object.fromEntries(Object.entries(named).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return {
    stop(extraCores = {}) {
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const cores: Record<string, number> = {
        ...Object.fromEntries(Object.entries(named).map(([name, pid]) => [name, (cpuSeconds(pid) - before[name]) / wallSeconds])),
        ...extraCores,
      };
      const ours = Object.values(cores).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
      const machine = (machineBusySeconds() - machineBefore) / wallSeconds;
      return Object.fromEntries(Object.entries({ ...cores, 'other processes': Math.max(0, machine - ours) }).map(([name, value]) => [name, round(value, 2)]));
    },
  };
}

// Above this, other processes on the machine used enough CPU to lower a figure noticeably.
const CONTENTION_CORES = 0.2;

/** A warning when a cpuMeter reading shows other processes busy during the measurement. */
export function contentionWarnings(cores: Record<string, number>): string[] {
  const others = cores['other processes'] ?? 0;
  return others > CONTENTION_CORES
    ? [`other processes on this machine used ${others} cores during the measurement: the figure is lower than on a quiet machine`]
    : [];
}

export const coreCount = () => cpus().length;

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The value at quantile q (0..1) of unsorted samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** A positive number from the environment (bench knobs such as BENCH_E2E_SECONDS), else the fallback. */
export function envNumber(envName: string, fallback: number): number {
  const value = Number(process.env[envName]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
