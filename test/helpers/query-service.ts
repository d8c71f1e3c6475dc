// Starts the query service next to a test cluster as a real child process, and waits until it serves.
import { freePort, startService, waitForHealthy, type ManagedProcess } from '../../services/common/local-cluster.js';
import type { Cluster } from './cluster.js';

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
  const address = `127.0.0.1:${await freePort()}`;
  const child = startService(
    'query',
    {
      RUNLOG_NATS_URL: cluster.natsUrl,
      RUNLOG_PARTITIONS: String(cluster.partitions),
      RUNLOG_LOG_LEVEL: 'info',
      RUNLOG_DRAIN_GRACE: '2s',
      RUNLOG_QUERY_ADDR: address,
      ...env,
    },
    { echo: process.env.RUNLOG_TEST_ECHO === '1', label },
  );
  try {
    await waitForHealthy(address, child);
  } catch (error) {
    await child.stop(5000);
    throw error;
  }
  return { address, process: child, stop: () => child.stop(5000) };
}
