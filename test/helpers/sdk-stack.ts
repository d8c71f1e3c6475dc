// A whole live stack for the SDK and CLI tests: the write path of cluster.ts plus a query service on an address that survives its restarts.
import { startService, waitForHealthy, type ServiceProcess } from '../../scripts/local-cluster.js';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.js';

export interface SdkStack {
  readonly cluster: Cluster;
  readonly ingestAddress: string;
  readonly queryAddress: string;
  readonly query: ServiceProcess;
  /** Stops the query service (SIGTERM, so open subscriptions end with UNAVAILABLE) and starts it again on the same address. */
  restartQuery(): Promise<void>;
  stopQuery(): Promise<void>;
  startQuery(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSdkStack(options: ClusterOptions & { queryEnv?: Record<string, string> } = {}): Promise<SdkStack> {
  const cluster = await startCluster(options);
  // Port 0 at first; a restart binds the port the first start got.
  let queryAddress = '127.0.0.1:0';
  let query: ServiceProcess | undefined;
  const killOnExit = () => query?.child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const startQuery = async () => {
    query = startService(
      'query',
      {
        RUNLOG_NATS_URL: cluster.natsUrl,
        RUNLOG_PARTITIONS: String(cluster.partitions),
        RUNLOG_LOG_LEVEL: 'info',
        RUNLOG_DRAIN_GRACE: '1s',
        RUNLOG_QUERY_ADDR: queryAddress,
        ...options.env,
        ...options.queryEnv,
      },
      { echo: process.env.RUNLOG_TEST_ECHO === '1', label: 'query' },
    );
    queryAddress = `127.0.0.1:${await query.listeningPort()}`;
    await waitForHealthy(queryAddress, query);
  };
  const stopQuery = async () => {
    await query?.stop(5000);
  };

  try {
    await startQuery();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    cluster,
    ingestAddress: cluster.ingestAddress,
    queryAddress,
    get query() {
      return query!;
    },
    startQuery,
    stopQuery,
    async restartQuery() {
      await stopQuery();
      await startQuery();
    },
    async stop() {
      await stopQuery();
      process.off('exit', killOnExit);
      await cluster.stop();
    },
  };
}
