// Metrics through the OpenTelemetry SDK: a Prometheus /metrics endpoint per service, OTLP export when configured.
import { createServer, type Server } from 'node:http';
import { metrics as metricsApi, type Meter } from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { address, type Spec } from './config.js';
import type { Logger } from './telemetry.js';

/** Settings of every service's metrics. */
export const METRICS_SPEC = {
  metricsAddress: {
    env: 'RUNLOG_METRICS_ADDR',
    default: '127.0.0.1:0',
    parse: address,
    help: 'host:port of the Prometheus /metrics endpoint (port 0: a free port, logged as "metrics listening")',
  },
} satisfies Spec;

export interface MetricsEndpoint {
  /** Where instruments are made; also registered as the global meter provider. */
  readonly meter: Meter;
  /** The port /metrics is served on (the bound one when the setting asked for port 0). */
  readonly port: number;
  /** Stops serving /metrics, exports a last time over OTLP when configured. */
  shutdown(): Promise<void>;
}

// The OTLP default is a minute; the OTel variable overrides it, as it does for spans.
const DEFAULT_EXPORT_INTERVAL_MS = 60_000;

/**
 * Builds the service's MeterProvider: scraped on `/metrics` at `listenAddress`, and exported
 * over OTLP/HTTP too when OTEL_EXPORTER_OTLP_ENDPOINT (or its _METRICS_ form) is set.
 */
export async function startMetrics(service: string, listenAddress: string, logger: Logger): Promise<MetricsEndpoint> {
  // The exporter's own server cannot report the port it bound: ours serves its handler instead.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: IMetricReader[] = [prometheus];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_EXPORT_INTERVAL_MS,
      }),
    );
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? `runlog-${service}` }),
    readers,
  });
  metricsApi.setGlobalMeterProvider(provider);

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.split('?')[0] === '/metrics') prometheus.getMetricsRequestHandler(request, response);
    else {
      response.statusCode = 404;
      response.end();
    }
  });
  const port = await listen(server, listenAddress);
  logger.info('metrics listening', { address: listenAddress, port, path: '/metrics' });
  return {
    meter: provider.getMeter(`runlog-${service}`),
    port,
    async shutdown() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await provider.shutdown();
    },
  };
}

function listen(server: Server, listenAddress: string): Promise<number> {
  const split = listenAddress.lastIndexOf(':');
  const host = listenAddress.slice(0, split).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listenAddress.slice(split + 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
