// Wires the ingest service: config, NATS, stream, gRPC server; drains on SIGTERM.
import { INGEST_ADDRESS, COMMON_SPEC, loadConfigOrExit } from '../common/config.js';
import { GRPC_SERVER_SPEC, runService, startGrpcServer } from '../common/lifecycle.js';
import { connectNats } from '../common/nats.js';
import { createEventBatchCodec, loadContract } from '../common/proto.js';
import { ensureStream, STREAM_SPEC } from '../common/stream.js';
import { Subjects } from '../common/subjects.js';
import { createLogger, initTelemetry } from '../common/telemetry.js';
import { EventPublisher, PUBLISH_SPEC } from '../common/publish.js';
import { createIngestHandlers } from './server.js';
import { LIMITS_SPEC } from '../common/validate.js';
import { receivingEventBytes } from './request-bytes.js';
import { METRICS_SPEC, startMetrics } from '../common/metrics.js';
import { IngestMetrics, PublishMetrics } from '../common/instruments.js';

const SPEC = {
  ...COMMON_SPEC,
  ...STREAM_SPEC,
  ...LIMITS_SPEC,
  ...GRPC_SERVER_SPEC,
  ...PUBLISH_SPEC,
  ...METRICS_SPEC,
  listenAddress: INGEST_ADDRESS,
};

const config = loadConfigOrExit(SPEC, 'ingest');
const logger = createLogger('ingest', config.logLevel as 'info');

await runService(logger, async () => {
  const telemetry = initTelemetry('ingest');
  const metrics = await startMetrics('ingest', config.metricsAddress, logger);
  const nc = await connectNats(config.natsUrl, 'runlog-ingest', logger);
  const subjects = new Subjects(config.subjectPrefix, config.partitions);
  await ensureStream(nc, subjects, config);
  const codec = createEventBatchCodec();
  const publisher = new EventPublisher(nc, subjects, codec, config.streamName, config.publishTimeoutMs, new PublishMetrics(metrics.meter));
  const { packageDefinition, proto } = loadContract();
  const grpcServer = await startGrpcServer({
    address: config.listenAddress,
    packageDefinition,
    maxReceiveMessageBytes: config.maxRequestBytes,
    services: [
      {
        name: 'runlog.v1.IngestService',
        definition: receivingEventBytes(proto.runlog.v1.IngestService.service, codec),
        implementation: createIngestHandlers(publisher, config, logger, telemetry.tracer, new IngestMetrics(metrics.meter)),
      },
    ],
  });
  logger.info('ingest listening', { address: config.listenAddress, port: grpcServer.port });
  return {
    async drain() {
      await grpcServer.drain(config.drainGraceMs);
      await nc.drain();
      await metrics.shutdown();
      await telemetry.shutdown();
    },
  };
});

