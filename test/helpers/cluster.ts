// Starts a whole runlog write path for one test file: nats-server, persisters and ingest as real processes in a temp dir.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startNatsServer,
  startService,
  waitForHealthy,
  type ManagedProcess,
} from '../../scripts/local-cluster.js';
import type { IngestServiceClient } from '../../services/common/gen/runlog/v1/IngestService.js';
import { ingestClient } from './ingest-client.js';

// Children of a test process that is itself stopped (a runner timeout, Ctrl-C) would outlive it
// and hold their ports: whatever still runs is killed on the way out, and its temp dir removed.
const running = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const managed of running) managed.child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

function track(managed: ManagedProcess): ManagedProcess {
  running.add(managed);
  void managed.exited.then(() => running.delete(managed));
  return managed;
}

export interface ClusterOptions {
  partitions?: number;
  /** Extra environment for every service (limits, timeouts). */
  env?: Record<string, string>;
  /** Where the persisters keep their DuckDB files (default: a folder in the cluster's temp dir). */
  dataDir?: string;
  /** Echo every process's output to stderr (RUNLOG_TEST_ECHO=1 does the same), for debugging. */
  echo?: boolean;
}

export interface Cluster {
  readonly dir: string;
  readonly dataDir: string;
  readonly natsStoreDir: string;
  readonly natsUrl: string;
  readonly ingestAddress: string;
  /** grpc.health.v1 address of each partition's persister. */
  readonly persisterHealthAddresses: readonly string[];
  readonly partitions: number;
  /** The processes now running (replaced on restart). */
  readonly nats: ManagedProcess;
  readonly ingest: ManagedProcess;
  readonly persisters: ManagedProcess[];
  /** Starts partition p's persister (after a kill or stop) and waits until it is healthy. */
  startPersister(partition: number): Promise<void>;
  /** SIGTERM every persister and wait: their DuckDB files are then complete and free to open. */
  stopPersisters(): Promise<void>;
  startIngest(): Promise<void>;
  /** Starts nats-server again on the same port and store. */
  startNats(): Promise<void>;
  /** The last lines each of the cluster's processes printed, for failure messages. */
  output(): string;
  /** Stops every process and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const partitions = options.partitions ?? 1;
  const echo = options.echo ?? process.env.RUNLOG_TEST_ECHO === '1';
  const dir = mkdtempSync(join(tmpdir(), 'runlog-test-'));
  tempDirs.add(dir);
  const dataDir = options.dataDir ?? join(dir, 'data');
  const natsStoreDir = join(dir, 'nats');
  const [natsPort, ingestPort, ...healthPorts] = await freePorts(2 + partitions);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const ingestAddress = `127.0.0.1:${ingestPort}`;
  const healthAddresses = healthPorts.map((port) => `127.0.0.1:${port}`);
  const shared = {
    RUNLOG_NATS_URL: natsUrl,
    RUNLOG_PARTITIONS: String(partitions),
    RUNLOG_DATA_DIR: dataDir,
    RUNLOG_LOG_LEVEL: 'info',
    // Short drains keep teardown fast; nothing in a test waits on a long one.
    RUNLOG_DRAIN_GRACE: '2s',
    ...options.env,
  };
  // Output of processes that were replaced, so a failure message shows the whole story.
  const pastOutput: string[] = [];
  const persisters: ManagedProcess[] = [];
  let nats: ManagedProcess | undefined;
  let ingest: ManagedProcess | undefined;
  let stopped = false;

  const cluster: Cluster = {
    dir,
    dataDir,
    natsStoreDir,
    natsUrl,
    ingestAddress,
    persisterHealthAddresses: healthAddresses,
    partitions,
    // Both are started below before the cluster is returned.
    get nats() {
      return nats!;
    },
    get ingest() {
      return ingest!;
    },
    persisters,
    async startPersister(partition) {
      if (persisters[partition]) pastOutput.push(describe(persisters[partition]));
      const persister = track(
        startService(
          'persister',
          { ...shared, RUNLOG_PARTITION: String(partition), RUNLOG_PERSISTER_HEALTH_ADDR: healthAddresses[partition] },
          { echo, label: `persister-${partition}` },
        ),
      );
      persisters[partition] = persister;
      await waitForHealthy(healthAddresses[partition], persister);
    },
    async stopPersisters() {
      await Promise.all(persisters.map((persister) => persister.stop()));
    },
    async startIngest() {
      if (ingest) pastOutput.push(describe(ingest));
      ingest = track(startService('ingest', { ...shared, RUNLOG_INGEST_ADDR: ingestAddress }, { echo }));
      await waitForHealthy(ingestAddress, ingest);
    },
    async startNats() {
      if (nats) pastOutput.push(describe(nats));
      nats = track(await startNatsServer({ port: natsPort, storeDir: natsStoreDir, echo }));
    },
    output() {
      const current = [nats, ...persisters, ingest].filter((process) => process !== undefined).map(describe);
      return [...pastOutput, ...current].join('\n');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Services before the nats-server, so they do not spend their drain reconnecting.
      await Promise.all([ingest, ...persisters].map((process) => process?.stop(5000)));
      await nats?.stop(5000);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };

  try {
    await cluster.startNats();
    await Promise.all(Array.from({ length: partitions }, (_, p) => cluster.startPersister(p)));
    await cluster.startIngest();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/**
 * `count` distinct free ports. All are held open until all are found: asked one at a time, the
 * kernel may hand out a port again once it is released, and nats-server and ingest then collide.
 */
async function freePorts(count: number): Promise<number[]> {
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

// Enough of each process's log to see why it stalled, not so much that the failure drowns.
const OUTPUT_TAIL = 4000;

function describe(process: ManagedProcess): string {
  return `--- ${process.name} (last ${OUTPUT_TAIL} characters) ---\n${process.output().slice(-OUTPUT_TAIL)}`;
}

export interface TestCluster {
  readonly cluster: Cluster;
  /** An IngestService client of the cluster's ingest. */
  readonly client: IngestServiceClient;
}

/** One cluster for a whole test file: started before its first test, stopped after its last. */
export function useCluster(options: ClusterOptions = {}): TestCluster {
  let cluster: Cluster | undefined;
  let client: IngestServiceClient | undefined;
  before(async () => {
    cluster = await startCluster(options);
    client = ingestClient(cluster.ingestAddress);
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the cluster is not started: use it inside a test');
    return value;
  };
  return {
    get cluster() {
      return started(cluster);
    },
    get client() {
      return started(client);
    },
  };
}
