// NATS connection shared by a service: reconnects forever and logs every status change.
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './telemetry.js';

export async function connectNats(url: string, name: string, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({
    // A comma-separated list names several servers of a cluster: any one of them will do to start.
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    // nats.js otherwise builds two Error objects (stack traces) for every request, to show its
    // caller should it fail: a tenth of a millisecond each, on the path of every read and publish.
    noAsyncTraces: true,
  });
  logger.info('connected to NATS', { server: nc.getServer() });
  void (async () => {
    for await (const event of nc.status()) {
      if (event.type === 'ping') continue;
      const level = event.type === 'disconnect' || event.type === 'error' ? 'warn' : 'debug';
      logger[level]('NATS status', { type: event.type, ...('server' in event ? { server: event.server } : {}) });
    }
  })();
  return nc;
}
