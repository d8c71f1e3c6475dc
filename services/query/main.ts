// Wires the query service: config, NATS, gRPC server with QueryService and StateService; drains on SIGTERM.
import { QUERY_ADDRESS, COMMON_SPEC, duration, integer, loadConfigOrExit } from '../common/config.js';
import { GRPC_SERVER_SPEC, runService, startGrpcServer } from '../common/lifecycle.js';
import { connectNats } from '../common/nats.js';
import { createEventBatchCodec, loadContract } from '../common/proto.js';
import { Subjects } from '../common/subjects.js';
import { createLogger, initTelemetry } from '../common/telemetry.js';
import { PersisterClient } from './persister-client.js';
import { createQueryHandlers, queryServiceDefinition } from './server.js';
import { createLogRecordsWire } from '../common/wire/log-page.js';
import { EventPublisher } from '../common/publish.js';
import { createStateHandlers, STATE_SPEC } from './state.js';
import { TimeTravel } from './time-travel.js';
import { UnstoredTail } from './unstored-tail.js';
import { METRICS_SPEC, startMetrics } from '../common/metrics.js';
import { measuredUnaryCalls, PublishMetrics, QueryMetrics } from '../common/instruments.js';

const SPEC = {
  ...COMMON_SPEC,
  ...STATE_SPEC,
  ...GRPC_SERVER_SPEC,
  ...METRICS_SPEC,
  listenAddress: QUERY_ADDRESS,
  readTimeoutMs: { env: 'RUNLOG_READ_TIMEOUT', default: 5000, parse: duration, help: 'how long a persister may take to answer before UNAVAILABLE' },
  historyPageSize: { env: 'RUNLOG_HISTORY_PAGE', default: 1000, parse: integer(1, 1000), help: 'events per history page a subscription reads' },
  liveBuffer: { env: 'RUNLOG_LIVE_BUFFER', default: 256, parse: integer(1, 100_000), help: 'stream messages a subscription buffers' },
  maxStallMs: { env: 'RUNLOG_SUBSCRIBER_MAX_STALL', default: 30_000, parse: duration, help: 'how long a subscriber may not read before RESOURCE_EXHAUSTED' },
};

const config = loadConfigOrExit(SPEC, 'query');
const logger = createLogger('query', config.logLevel as 'info');

await runService(logger, async () => {
  const telemetry = initTelemetry('query');
  const metrics = await startMetrics('query', config.metricsAddress, logger);
  const queryMetrics = new QueryMetrics(metrics.meter);
  const nc = await connectNats(config.natsUrl, 'runlog-query', logger);
  const subjects = new Subjects(config.subjectPrefix, config.partitions);
  const reader = new PersisterClient(nc, subjects, config.streamName, config.readTimeoutMs);
  const subscribeContext = { nc, reader, subjects, streamName: config.streamName, codec: createEventBatchCodec(), historyPageSize: config.historyPageSize, liveBuffer: config.liveBuffer };
  const shutdown = new AbortController();
  // Fork and Resume write events; the stream exists once ingest or a persister started.
  const publisher = new EventPublisher(nc, subjects, createEventBatchCodec(), config.streamName, config.publishTimeoutMs, new PublishMetrics(metrics.meter));
  const unstoredTail = new UnstoredTail(nc, subjects, config.streamName, createEventBatchCodec(), config.readTimeoutMs);
  const timeTravel = new TimeTravel(reader, publisher, unstoredTail, config);
  const { packageDefinition, proto } = loadContract();
  const queryService = queryServiceDefinition(proto.runlog.v1.QueryService.service);
  const stateService = proto.runlog.v1.StateService.service;
  const grpcServer = await startGrpcServer({
    address: config.listenAddress,
    packageDefinition,
    maxReceiveMessageBytes: config.maxRequestBytes,
    services: [
      { name: 'runlog.v1.QueryService', definition: queryService, implementation: measuredUnaryCalls(queryService, createQueryHandlers(subscribeContext, createLogRecordsWire(), unstoredTail, { maxStallMs: config.maxStallMs, shutdown: shutdown.signal, metrics: queryMetrics }, logger), queryMetrics) },
      { name: 'runlog.v1.StateService', definition: stateService, implementation: measuredUnaryCalls(stateService, createStateHandlers(timeTravel, logger), queryMetrics) },
    ],
  });
  logger.info('query listening', { address: config.listenAddress, port: grpcServer.port });
  return {
    async drain() {
      shutdown.abort();
      await grpcServer.drain(config.drainGraceMs);
      await nc.drain();
      await metrics.shutdown();
      await telemetry.shutdown();
    },
  };
});
