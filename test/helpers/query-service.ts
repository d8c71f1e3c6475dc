// Starts the query service next to a test cluster as a real child process, and waits until it serves; or a whole cluster with one.
import { startService, waitForHealthy, type ManagedProcess } from '../../scripts/local-cluster.js';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.js';
import { ingestClient } from './ingest-client.js';
import { queryClient, type QueryServiceClient } from './query-client.js';
import type { IngestServiceClient } from '../../services/common/gen/runlog/v1/IngestService.js';

export interface QueryService {
  readonly address: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A query service reading from the cluster's NATS and persisters; `env` adds or overrides settings
 * (a short RUNLOG_READ_TIMEOUT, a short RUNLOG_SUBSCRIBER_MAX_STALL). Several may run at once.
 */
export async function startQueryService(cluster: Cluster, env: Record<string, string> = {}, label = 'query'): Promise<QueryService> {
  const child = startService(
    'query',
    {
      RUNLOG_NATS_URL: cluster.natsUrl,
      RUNLOG_PARTITIONS: String(cluster.partitions),
      RUNLOG_LOG_LEVEL: 'info',
      RUNLOG_DRAIN_GRACE: '2s',
      // Port 0: the service binds a free port and reports it (listeningPort), so none is picked before.
      RUNLOG_QUERY_ADDR: '127.0.0.1:0',
      ...env,
    },
    { echo: process.env.RUNLOG_TEST_ECHO === '1', label },
  );
  // A test process stopped from outside (a runner timeout, Ctrl-C) must not leave the service running.
  const killOnExit = () => child.child.kill('SIGKILL');
  process.on('exit', killOnExit);
  void child.exited.then(() => process.off('exit', killOnExit));
  let address: string;
  try {
    address = `127.0.0.1:${await child.listeningPort()}`;
    await waitForHealthy(address, child);
  } catch (error) {
    await child.stop(5000);
    throw error;
  }
  return { address, process: child, stop: () => child.stop(5000) };
}

/** A whole cluster with a query service and a client of each service: what a read-path test file starts. */
export interface QueryCluster {
  readonly cluster: Cluster;
  readonly query: QueryService;
  readonly ingest: IngestServiceClient;
  readonly client: QueryServiceClient;
  stop(): Promise<void>;
}

export async function startQueryCluster(options: ClusterOptions & { queryEnv?: Record<string, string> } = {}): Promise<QueryCluster> {
  const cluster = await startCluster(options);
  let query: QueryService;
  try {
    query = await startQueryService(cluster, { ...options.env, ...options.queryEnv });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const ingest = ingestClient(cluster.ingestAddress);
  const client = queryClient(query.address);
  return {
    cluster,
    query,
    ingest,
    client,
    async stop() {
      ingest.close();
      client.close();
      await query.stop();
      await cluster.stop();
    },
  };
}
