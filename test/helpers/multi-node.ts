// Real processes for the deploy and scale-out tests: a clustered nats-server set, and services that bind port 0 and report it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHealth, NATS_MAX_PAYLOAD, type ServiceName } from '../../scripts/local-cluster.js';
import { waitUntil } from './wait.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));

// A test process stopped from outside (runner timeout, Ctrl-C) must not leave its children holding ports.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export function spawnProc(name: string, command: string, args: string[], env: Record<string, string> = {}, cwd = REPO_DIR): Proc {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-256 * 1024);
    if (process.env.RUNLOG_TEST_ECHO === '1') process.stderr.write(`[${name}] ${chunk}`);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    child,
    exited,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (!gone()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits for a JSON log line whose `msg` is `message` and returns it; fails with the output if the process exits first. */
export async function waitForLogLine(proc: Proc, message: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  return waitUntil(
    () => {
      if (exitCode !== undefined) throw new Error(`${proc.name} exited with ${exitCode}`);
      for (const line of proc.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          if (record.msg === message) return record;
        } catch {
          // a line cut by the output window's start
        }
      }
      return undefined;
    },
    (record) => record !== undefined || exitCode !== undefined,
    { timeoutMs, intervalMs: 50, what: `${proc.name} to log "${message}"`, explain: () => proc.output().slice(-4000) },
  ).then((record) => {
    if (!record) throw new Error(`${proc.name} exited with ${exitCode} before logging "${message}":\n${proc.output().slice(-4000)}`);
    return record;
  });
}

export async function waitForServing(address: string, proc: Proc, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
      return checkHealth(address, 500);
    },
    (serving) => serving,
    { timeoutMs, intervalMs: 50, what: `${proc.name} SERVING at ${address}`, explain: () => proc.output().slice(-4000) },
  );
}

/** The log line each service prints once its gRPC server is bound, and the field holding the port. */
const LISTENING: Record<ServiceName, string> = { ingest: 'ingest listening', query: 'query listening', persister: 'health listening' };

export interface RunningService {
  readonly proc: Proc;
  /** 127.0.0.1:<port> of its gRPC server (ingest, query) or health server (persister). */
  readonly address: string;
}

/**
 * Starts one service from its TypeScript source (or with `command` before the service name, as the
 * image's entrypoint does) with every listen address on port 0, and waits until it is SERVING.
 */
export async function startServiceOnFreePort(
  name: ServiceName,
  env: Record<string, string>,
  options: { label?: string; command?: { file: string; args: string[]; cwd?: string } } = {},
): Promise<RunningService> {
  const listen = { RUNLOG_INGEST_ADDR: '127.0.0.1:0', RUNLOG_QUERY_ADDR: '127.0.0.1:0', RUNLOG_PERSISTER_HEALTH_ADDR: '127.0.0.1:0' };
  const { file, args, cwd } = options.command
    ? { ...options.command, args: [...options.command.args, name] }
    : { file: process.execPath, args: ['--import', 'tsx', `services/${name}/main.ts`], cwd: undefined };
  const proc = spawnProc(options.label ?? name, file, args, { ...listen, ...env }, cwd);
  const line = await waitForLogLine(proc, LISTENING[name]);
  const address = `127.0.0.1:${Number(line.port)}`;
  await waitForServing(address, proc);
  return { proc, address };
}

/**
 * `count` distinct free ports, all held until all are found. Only for nats-server's cluster,
 * whose route ports each node must know before any of them starts.
 */
export async function reservePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export interface NatsNode {
  readonly index: number;
  readonly clientUrl: string;
  readonly proc: Proc;
  /** Starts this node again on its ports and store (after a kill). */
  restart(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: NatsNode[];
  /** Every node's client URL, comma-separated: what RUNLOG_NATS_URL takes. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `size` nats-servers with JetStream on loopback, routed to each other as one cluster (with
 * `size` 1, a plain single server). Each keeps its store under `dir/node-<i>`.
 */
export async function startNatsCluster(dir: string, size: number): Promise<NatsCluster> {
  const ports = await reservePorts(2 * size);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const nodes: NatsNode[] = [];
  const start = async (index: number): Promise<Proc> => {
    const storeDir = join(dir, `node-${index}`);
    mkdirSync(storeDir, { recursive: true });
    const routes = routePorts.filter((_, i) => i !== index).map((port) => `nats://127.0.0.1:${port}`);
    const cluster = size > 1 ? `cluster {\n  name: runlog\n  listen: 127.0.0.1:${routePorts[index]}\n  routes: [${routes.join(', ')}]\n}\n` : '';
    const configFile = join(storeDir, 'nats-server.conf');
    writeFileSync(
      configFile,
      `server_name: n${index}\nlisten: 127.0.0.1:${clientPorts[index]}\nmax_payload: ${NATS_MAX_PAYLOAD}\n` +
        `jetstream {\n  store_dir: "${storeDir}"\n}\n${cluster}`,
    );
    const proc = spawnProc(`nats-${index}`, 'nats-server', ['-c', configFile]);
    await waitUntil(
      () => {
        if (proc.child.exitCode !== null) throw new Error(`nats-${index} exited`);
        return proc.output().includes('Server is ready');
      },
      (ready) => ready,
      { timeoutMs: 15_000, intervalMs: 50, what: `nats-${index} ready`, explain: () => proc.output().slice(-4000) },
    );
    return proc;
  };
  const procs = await Promise.all(Array.from({ length: size }, (_, i) => start(i)));
  for (let i = 0; i < size; i++) {
    let proc = procs[i];
    nodes.push({
      index: i,
      clientUrl: `nats://127.0.0.1:${clientPorts[i]}`,
      get proc() {
        return proc;
      },
      async restart() {
        proc = await start(i);
      },
    });
  }
  return {
    nodes,
    url: nodes.map((node) => node.clientUrl).join(','),
    async stop() {
      await Promise.all(nodes.map((node) => node.proc.stop(5000)));
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
