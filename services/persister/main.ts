// Wires one partition's persister: config, DuckDB file, NATS, pull loop, read API, health; drains on SIGTERM.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, address, COMMON_SPEC, loadConfigOrExit, duration, integer } from '../common/config.js';
import { runService, startGrpcServer } from '../common/lifecycle.js';
import { connectNats } from '../common/nats.js';
import { loadContract } from '../common/proto.js';
import { ensureStream, STREAM_SPEC } from '../common/stream.js';
import { Subjects } from '../common/subjects.js';
import { createLogger, initTelemetry } from '../common/telemetry.js';
import { alignStream, consumePartition, ConsumerLag } from './write/consume.js';
import { METRICS_SPEC, startMetrics } from '../common/metrics.js';
import { PersisterMetrics } from '../common/instruments.js';
import { ReadServer } from './read/read-server.js';
import { startStreamTrimmer } from './write/stream-trimmer.js';
import { PartitionStore } from './write/partition-store.js';

const SPEC = {
  ...COMMON_SPEC,
  ...STREAM_SPEC,
  ...METRICS_SPEC,
  partition: { env: 'RUNLOG_PARTITION', default: 0, parse: integer(0, 1023), help: 'which partition this persister owns' },
  dataDir: DATA_DIR,
  healthAddress: { env: 'RUNLOG_PERSISTER_HEALTH_ADDR', default: '127.0.0.1:0', parse: address, help: 'host:port of the grpc.health.v1 server' },
  maxBatchEvents: { env: 'RUNLOG_BATCH_MAX_EVENTS', default: 20_000, parse: integer(1, 1_000_000), help: 'events per DuckDB transaction' },
  flushIntervalMs: { env: 'RUNLOG_FLUSH_INTERVAL', default: 20, parse: duration, help: 'longest wait before a partial batch is written (≤ 100ms keeps data queryable fast)' },
  // 100, not 1000: a message holds a whole request's group (1000 log records are ~170 KB), and
  // a thousand of them pulled ahead cost more in memory traffic and GC than they save in pulls.
  bufferMessages: { env: 'RUNLOG_CONSUMER_BUFFER', default: 100, parse: integer(1, 100_000), help: 'messages buffered ahead of the writer' },
  // 1, not one per core: DuckDB's idle workers spin while they wait for tasks, and the writer's
  // appends and commits gain nothing from them, while they cost CPU per record. A read of one
  // run's page is no slower with one thread; a scan of a whole partition is. Raise it for a
  // machine serving large reads.
  duckdbThreads: { env: 'RUNLOG_DUCKDB_THREADS', default: 1, parse: integer(1, 1024), help: 'DuckDB worker threads of the partition file (writes and reads)' },
  readWorkers: { env: 'RUNLOG_READ_WORKERS', default: 4, parse: integer(1, 64), help: 'DuckDB connections serving reads at once' },
  readQueue: { env: 'RUNLOG_READ_QUEUE', default: 256, parse: integer(0, 100_000), help: 'reads waiting for a worker before RESOURCE_EXHAUSTED' },
  stepIndexRows: { env: 'RUNLOG_STEP_INDEX_ROWS', default: 1_000_000, parse: integer(0, 100_000_000), help: 'step snapshot positions held in memory (about 24 bytes each) for time-travel reads' },
  runExtentsRuns: { env: 'RUNLOG_RUN_EXTENTS_RUNS', default: 50_000, parse: integer(0, 100_000_000), help: 'runs whose stream extent is held in memory (about 600 bytes each) for reads of one run' },
  trimLagMs: { env: 'RUNLOG_TRIM_LAG', default: 600_000, parse: duration, help: 'how long stored events stay in the stream for subscribers handing off' },
};

const config = loadConfigOrExit(SPEC, 'persister');
const logger = createLogger(`persister-${config.partition}`, config.logLevel as 'info');

await runService(logger, async () => {
  if (config.partition >= config.partitions) throw new Error(`RUNLOG_PARTITION=${config.partition} must be below RUNLOG_PARTITIONS=${config.partitions}`);
  const telemetry = initTelemetry('persister');
  mkdirSync(config.dataDir, { recursive: true });
  const store = await PartitionStore.open(join(config.dataDir, `partition-${config.partition}.duckdb`), { threads: config.duckdbThreads, stepIndexRows: config.stepIndexRows, runExtentsRuns: config.runExtentsRuns });
  logger.info('store open', { partition: config.partition, watermark: store.watermark });
  const nc = await connectNats(config.natsUrl, `runlog-persister-${config.partition}`, logger);
  const subjects = new Subjects(config.subjectPrefix, config.partitions);
  await ensureStream(nc, subjects, config);
  // Before reporting healthy: events published into a stream still behind the watermark would be skipped.
  await alignStream(nc, config.streamName, store.watermark, logger);

  // Reads first: the health server answers SERVING from its start, and a query service must then find the read API.
  const reads = new ReadServer(nc, store, { workers: config.readWorkers, maxQueued: config.readQueue, maxCatchUpMs: 2000 }, logger);
  await reads.start(subjects, config.partition);

  const { packageDefinition } = loadContract();
  const health = await startGrpcServer({ address: config.healthAddress, packageDefinition, maxReceiveMessageBytes: 1024 * 1024, services: [] });
  logger.info('health listening', { port: health.port });

  const metrics = await startMetrics('persister', config.metricsAddress, logger);
  const lag = new ConsumerLag(store);
  const abort = new AbortController();
  const consuming = consumePartition(nc, store, subjects, logger, {
    ...config,
    signal: abort.signal,
    tracer: telemetry.tracer,
    metrics: new PersisterMetrics(metrics.meter, config.partition, lag),
    lag,
    onCommitted: () => {
      health.health.setStatus('', 'SERVING');
      reads.watermarkAdvanced();
    },
    onWriteFailure: () => health.health.setStatus('', 'NOT_SERVING'),
  });
  const trimmer = startStreamTrimmer({
    nc, subjects, streamName: config.streamName, partition: config.partition,
    lagMs: config.trimLagMs, intervalMs: Math.max(1000, Math.min(30_000, config.trimLagMs / 4)),
    watermark: () => store.watermark, logger,
  });

  return {
    async drain() {
      trimmer.stop();
      abort.abort();
      await consuming;
      await reads.drain();
      await health.drain(1000);
      await nc.drain();
      store.close();
      await metrics.shutdown();
      await telemetry.shutdown();
    },
  };
});

