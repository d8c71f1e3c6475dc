// Starts a whole runlog write path for one test file: nats-server, persisters and ingest as real processes in a temp dir.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startNatsServer,
  startService,
  waitForHealthy,
  type ManagedProcess,
  type NatsServer,
  type ServiceProcess,
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

function track<T extends ManagedProcess>(managed: T): T {
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
  readonly nats: NatsServer;
  readonly ingest: ServiceProcess;
  readonly persisters: ServiceProcess[];
  /** Starts partition p's persister (after a kill or stop) and waits until it is healthy. */
  startPersister(partition: number): Promise<void>;
  /** SIGTERM every persister and wait: their DuckDB files are then complete and free to open. */
  stopPersisters(): Promise<void>;
  /** Starts ingest (after a kill or stop) and waits until it is healthy. */
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
  // Every process binds port 0 on its first start and reports the port it got, so no port is
  // picked before it is bound (and taken meanwhile by a process of another test file). A restart
  // binds the port of the first start again: the clients made before know only that address.
  let natsPort: number | undefined;
  let ingestPort = 0;
  const healthPorts: number[] = Array(partitions).fill(0);
  const natsUrl = () => `nats://127.0.0.1:${natsPort}`;
  const loopback = (port: number) => `127.0.0.1:${port}`;
  const shared = () => ({
    RUNLOG_NATS_URL: natsUrl(),
    RUNLOG_PARTITIONS: String(partitions),
    RUNLOG_DATA_DIR: dataDir,
    // Info, at least: the services report their bound port in an info line.
    RUNLOG_LOG_LEVEL: 'info',
    // Short drains keep teardown fast; nothing in a test waits on a long one.
    RUNLOG_DRAIN_GRACE: '2s',
    ...options.env,
  });
  // Output of processes that were replaced, so a failure message shows the whole story.
  const pastOutput: string[] = [];
  const persisters: ServiceProcess[] = [];
  let nats: NatsServer | undefined;
  let ingest: ServiceProcess | undefined;
  let stopped = false;

  const cluster: Cluster = {
    dir,
    dataDir,
    natsStoreDir,
    get natsUrl() {
      return natsUrl();
    },
    get ingestAddress() {
      return loopback(ingestPort);
    },
    get persisterHealthAddresses() {
      return healthPorts.map(loopback);
    },
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
          { ...shared(), RUNLOG_PARTITION: String(partition), RUNLOG_PERSISTER_HEALTH_ADDR: loopback(healthPorts[partition]) },
          { echo, label: `persister-${partition}` },
        ),
      );
      persisters[partition] = persister;
      healthPorts[partition] = await persister.listeningPort();
      await waitForHealthy(loopback(healthPorts[partition]), persister);
    },
    async stopPersisters() {
      await Promise.all(persisters.map((persister) => persister.stop()));
    },
    async startIngest() {
      if (ingest) pastOutput.push(describe(ingest));
      const started = track(startService('ingest', { ...shared(), RUNLOG_INGEST_ADDR: loopback(ingestPort) }, { echo }));
      ingest = started;
      ingestPort = await started.listeningPort();
      await waitForHealthy(loopback(ingestPort), started);
    },
    async startNats() {
      if (nats) pastOutput.push(describe(nats));
      const started = track(await startNatsServer({ port: natsPort, storeDir: natsStoreDir, echo }));
      nats = started;
      natsPort = started.port;
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
