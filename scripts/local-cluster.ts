// Starts runlog's processes on this machine: a nats-server and the services as child processes.
// Used by `npm start` (services/up.ts), the tests and the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const SERVICES_DIR = fileURLToPath(new URL('../services/', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * A port that was free a moment ago. It races: another process may bind it between this close
 * and the child's bind. Prefer starting the child on port 0 and reading the port it reports
 * (`listeningPort`, `NatsServer.port`); this remains for callers that do not yet.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly name: string;
  /** Output so far (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

function manage(name: string, child: ChildProcess, echo: boolean): ManagedProcess {
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64 * 1024);
    if (echo) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    name,
    output: () => output,
    exited,
    async stop(graceMs = 10_000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** 8 MiB, nats-server's recommended ceiling; deploy/ sets the same. */
export const NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

export interface NatsServerOptions {
  /** The client port; when absent nats-server binds a port of its own choosing and reports it. */
  port?: number;
  storeDir: string;
  echo?: boolean;
}

export interface NatsServer extends ManagedProcess {
  /** The client port it listens on. */
  readonly port: number;
}

/** A nats-server with JetStream on 127.0.0.1, its store in `storeDir`. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  mkdirSync(options.storeDir, { recursive: true });
  // A config file, because max_payload has no command-line flag: step states reach 4 MiB.
  const configFile = join(options.storeDir, 'nats-server.conf');
  writeFileSync(configFile, `max_payload: ${NATS_MAX_PAYLOAD}\n`);
  // -1, not 0: nats-server reads port 0 as its default, 4222. The ports file is how it reports the
  // port it bound (as nats.js's test harness reads it), so no port is picked before it is bound.
  const port = options.port ?? -1;
  const child = spawn(
    'nats-server',
    ['-c', configFile, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', options.storeDir, '--ports_file_dir', options.storeDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const managed = manage('nats-server', child, options.echo ?? false);
  const portsFile = join(options.storeDir, `nats-server_${child.pid}.ports`);
  let clientPort: number | undefined;
  await waitFor(
    () => {
      if (!managed.output().includes('Server is ready') || !existsSync(portsFile)) return false;
      clientPort = clientPortOf(readFileSync(portsFile, 'utf8'));
      return clientPort !== undefined;
    },
    10_000,
    () => `nats-server did not start:\n${managed.output()}`,
    managed,
  );
  return { ...managed, port: clientPort! };
}

/** The client port in nats-server's ports file: {"nats": ["nats://127.0.0.1:4222"], ...}. */
function clientPortOf(portsFile: string): number | undefined {
  try {
    const { nats } = JSON.parse(portsFile) as { nats?: string[] };
    const port = Number(new URL(nats?.[0] ?? '').port);
    return port > 0 ? port : undefined;
  } catch {
    // Read while nats-server was still writing it: asked again.
    return undefined;
  }
}

export type ServiceName = 'ingest' | 'persister' | 'query';

/** The log line with which each service's main.ts reports the port its gRPC server bound. */
const LISTENING_MESSAGE: Record<ServiceName, string> = {
  ingest: 'ingest listening',
  persister: 'health listening',
  query: 'query listening',
};

export interface ServiceProcess extends ManagedProcess {
  /**
   * The port the service's gRPC server bound, read from its "listening" log line (so it needs
   * RUNLOG_LOG_LEVEL info or debug). A service started on port 0 learns its port from the kernel
   * as it binds: no port is picked before and taken by another process meanwhile.
   */
  listeningPort(timeoutMs?: number): Promise<number>;
}

/** Runs services/<name>/main.ts in a child Node process with the given environment added. */
export function startService(name: ServiceName, env: Record<string, string>, options: { echo?: boolean; label?: string } = {}): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `${SERVICES_DIR}${name}/main.ts`], {
    cwd: REPO_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const managed = manage(options.label ?? name, child, options.echo ?? false);
  const reported = reportedPort(child, LISTENING_MESSAGE[name]);
  return {
    ...managed,
    async listeningPort(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const port = await Promise.race([reported, timeout]);
      clearTimeout(timer);
      if (typeof port === 'number') return port;
      const why = port === 'timeout' ? `did not log "${LISTENING_MESSAGE[name]}" within ${timeoutMs} ms` : 'exited before it listened';
      throw new Error(`${managed.name} ${why}:\n${managed.output()}`);
    },
  };
}

/**
 * The `port` of the first structured log line (one JSON object per line on stderr) whose msg is
 * `message`; undefined if the process exits first. Never rejects, so a caller that does not ask
 * leaves no unhandled rejection behind.
 */
function reportedPort(child: ChildProcess, message: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const port = portOfLine(line, message);
        if (port !== undefined) return finish(port);
      }
    };
    const onExit = () => finish(undefined);
    const finish = (port: number | undefined) => {
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      resolve(port);
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function portOfLine(line: string, message: string): number | undefined {
  if (!line.startsWith('{') || !line.includes(message)) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return record.msg === message && typeof record.port === 'number' && record.port > 0 ? record.port : undefined;
  } catch {
    return undefined;
  }
}

let healthClientConstructor: grpc.ServiceClientConstructor | undefined;

interface HealthClient extends grpc.Client {
  check(request: { service: string }, options: grpc.CallOptions, callback: (error: Error | null, response?: { status: string }) => void): void;
}

function healthClient(address: string): HealthClient {
  if (!healthClientConstructor) {
    const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
    healthClientConstructor = loaded.grpc.health.v1.Health;
  }
  return new healthClientConstructor(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

/** Asks grpc.health.v1 once; true when SERVING. */
export function checkHealth(address: string, timeoutMs = 1000): Promise<boolean> {
  const client = healthClient(address);
  return new Promise((resolve) => {
    client.check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, response) => {
      client.close();
      resolve(!error && response?.status === 'SERVING');
    });
  });
}

/** Waits until the gRPC server at `address` reports SERVING, or fails with the process's output. */
export async function waitForHealthy(address: string, process: ManagedProcess, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => checkHealth(address, 500),
    timeoutMs,
    () => `${process.name} did not become healthy at ${address}:\n${process.output()}`,
    process,
  );
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string, process: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void process.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (await condition()) return;
    if (exitCode !== undefined) throw new Error(`${describe()}\n(exited with ${exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(describe());
}
