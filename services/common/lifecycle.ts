// Service lifecycle: a gRPC server with health and reflection, and a graceful drain on SIGTERM/SIGINT.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ConfigError, duration, size, type Spec } from './config.js';
import type { Logger } from './telemetry.js';

/** Settings of every service that serves gRPC calls (ingest, query). */
export const GRPC_SERVER_SPEC = {
  maxRequestBytes: { env: 'RUNLOG_MAX_REQUEST_BYTES', default: 16 * 1024 * 1024, parse: size, help: 'largest gRPC request accepted' },
  drainGraceMs: { env: 'RUNLOG_DRAIN_GRACE', default: 10_000, parse: duration, help: 'how long in-flight calls may finish on SIGTERM' },
} satisfies Spec;

export interface GrpcServiceBinding {
  definition: grpc.ServiceDefinition;
  // any: grpc-js types each implementation by its own service, and this list mixes services.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  implementation: any;
  /** Full name for health checks, e.g. runlog.v1.IngestService. */
  name: string;
}

export interface RunningGrpcServer {
  server: grpc.Server;
  port: number;
  health: HealthImplementation;
  /** Marks every service NOT_SERVING, lets in-flight calls finish (up to the grace period), then stops. */
  drain(graceMs: number): Promise<void>;
}

export async function startGrpcServer(options: {
  address: string;
  services: GrpcServiceBinding[];
  packageDefinition: PackageDefinition;
  maxReceiveMessageBytes: number;
}): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.enable_channelz': 0,
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  // Only what this server serves: reflection clients (grpcurl) take the list for what they can call.
  new ReflectionService(options.packageDefinition, { services: options.services.map((service) => service.name) }).addToServer(server);
  for (const service of options.services) {
    server.addService(service.definition, service.implementation);
    health.setStatus(service.name, 'SERVING');
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  health.setStatus('', 'SERVING');
  const drain = async (graceMs: number) => {
    health.setStatus('', 'NOT_SERVING');
    for (const service of options.services) health.setStatus(service.name, 'NOT_SERVING');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  };
  return { server, port, health, drain };
}

export interface Stoppable {
  /** Stops taking work, finishes what is in flight, releases everything. */
  drain(): Promise<void>;
}

/**
 * Runs a service's start function and drains it once on SIGTERM or SIGINT. A configuration
 * error exits with code 78 (EX_CONFIG) and a one-paragraph message; other start failures exit 1.
 */
export async function runService(logger: Logger, start: () => Promise<Stoppable>): Promise<void> {
  let service: Stoppable;
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    logger.error('start failed', { error: String((error as Error)?.stack ?? error) });
    process.exit(1);
  }
  let draining = false;
  const stop = (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info('draining', { signal });
    service.drain().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error) => {
        logger.error('drain failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
