// `npm start`: a local nats-server (unless RUNLOG_NATS_URL is set), ingest, one persister per partition and query.
import { resolve } from 'node:path';
import { DATA_DIR, INGEST_ADDRESS, QUERY_ADDRESS, COMMON_SPEC, integer, loadConfigOrExit } from './common/config.js';
import { startNatsServer, startService, waitForHealthy, type ManagedProcess } from '../scripts/local-cluster.js';

const SPEC = {
  natsUrl: { ...COMMON_SPEC.natsUrl, default: '' },
  partitions: COMMON_SPEC.partitions,
  dataDir: DATA_DIR,
  ingestAddress: INGEST_ADDRESS,
  queryAddress: QUERY_ADDRESS,
  localNatsPort: { env: 'RUNLOG_LOCAL_NATS_PORT', default: 7222, parse: integer(1, 65535), help: 'port of the local nats-server started when RUNLOG_NATS_URL is unset' },
};

const config = loadConfigOrExit(SPEC, 'up');
const dataDir = resolve(config.dataDir);
const processes: ManagedProcess[] = [];
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  // Services first (they drain into NATS and DuckDB), the nats-server last.
  for (const process of [...processes].reverse()) await process.stop();
  process.exit(exitCode);
}

function watch(managed: ManagedProcess): ManagedProcess {
  processes.push(managed);
  void managed.exited.then((code) => {
    if (stopping) return;
    console.error(`runlog: ${managed.name} exited unexpectedly (code ${code}); stopping everything.`);
    void stopAll(1);
  });
  return managed;
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  let natsUrl = config.natsUrl;
  if (!natsUrl) {
    watch(await startNatsServer({ port: config.localNatsPort, storeDir: resolve(dataDir, 'nats') }));
    natsUrl = `nats://127.0.0.1:${config.localNatsPort}`;
  }
  const shared = { RUNLOG_NATS_URL: natsUrl, RUNLOG_PARTITIONS: String(config.partitions), RUNLOG_DATA_DIR: dataDir };

  for (let partition = 0; partition < config.partitions; partition++) {
    const persister = startService('persister', { ...shared, RUNLOG_PARTITION: String(partition), RUNLOG_PERSISTER_HEALTH_ADDR: '127.0.0.1:0' }, { echo: true, label: `persister-${partition}` });
    watch(persister);
    await waitForHealthy(`127.0.0.1:${await persister.listeningPort()}`, persister);
  }
  const ingest = watch(startService('ingest', { ...shared, RUNLOG_INGEST_ADDR: config.ingestAddress }, { echo: true }));
  const query = watch(startService('query', { ...shared, RUNLOG_QUERY_ADDR: config.queryAddress }, { echo: true }));
  await Promise.all([waitForHealthy(config.ingestAddress, ingest), waitForHealthy(config.queryAddress, query)]);

  console.log(
    [
      '',
      'runlog is up.',
      `  ingest gRPC   ${config.ingestAddress}   (runlog.v1.IngestService)`,
      `  query gRPC    ${config.queryAddress}   (runlog.v1.QueryService, runlog.v1.StateService)`,
      `  NATS          ${natsUrl}`,
      `  data          ${dataDir}  (${config.partitions} partition${config.partitions === 1 ? '' : 's'})`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
} catch (error) {
  console.error(`runlog: could not start: ${(error as Error).message}`);
  await stopAll(1);
}
