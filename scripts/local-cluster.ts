// Starts runlog's processes on this machine: a nats-server and the services as child processes.
// Used by `npm start` (services/up.ts), the tests and the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const SERVICES_DIR = fileURLToPath(new URL('../services/', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

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
  port: number;
  storeDir: string;
  echo?: boolean;
}

/** A nats-server with JetStream on 127.0.0.1, its store in `storeDir`. */
export async function startNatsServer(options: NatsServerOptions): Promise<ManagedProcess> {
  mkdirSync(options.storeDir, { recursive: true });
  // A config file, because max_payload has no command-line flag: step states reach 4 MiB.
  const configFile = join(options.storeDir, 'nats-server.conf');
  writeFileSync(configFile, `max_payload: ${NATS_MAX_PAYLOAD}\n`);
  const child = spawn('nats-server', ['-c', configFile, '-js', '-a', '127.0.0.1', '-p', String(options.port), '-sd', options.storeDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const managed = manage('nats-server', child, options.echo ?? false);
  await waitFor(() => managed.output().includes('Server is ready'), 10_000, () => `nats-server did not start:\n${managed.output()}`, managed);
  return managed;
}

export type ServiceName = 'ingest' | 'persister' | 'query';

/** Runs services/<name>/main.ts in a child Node process with the given environment added. */
export function startService(name: ServiceName, env: Record<string, string>, options: { echo?: boolean; label?: string } = {}): ManagedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `${SERVICES_DIR}${name}/main.ts`], {
    cwd: REPO_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return manage(options.label ?? name, child, options.echo ?? false);
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
