// A small OTLP/HTTP collector for tests: the services export their spans and metrics to it as JSON, and tests read what arrived.
import { createServer, type Server } from 'node:http';

/** One span as the OTLP JSON encoding has it, with the service that sent it. */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

export interface OtlpCollector {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  readonly endpoint: string;
  spans(): CollectedSpan[];
  /** Names of the metrics each service exported, by service name. */
  metricNames(): Map<string, Set<string>>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpResource {
  attributes?: OtlpKeyValue[];
}

function plain(value: OtlpAnyValue): unknown {
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));
}

function serviceOf(resource: OtlpResource | undefined): string {
  return String(attributesOf(resource?.attributes)['service.name'] ?? '');
}

/** Starts the collector on a free loopback port. Only JSON bodies are understood (what the HTTP exporters send). */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const metricNames = new Map<string, Set<string>>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (request.url === '/v1/traces') collectSpans(body, spans);
        else if (request.url === '/v1/metrics') collectMetricNames(body, metricNames);
        response.setHeader('content-type', 'application/json');
        response.end('{}');
      } catch {
        response.statusCode = 400;
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    metricNames: () => metricNames,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  links?: { traceId: string; spanId: string }[];
  attributes?: OtlpKeyValue[];
}

function collectSpans(body: { resourceSpans?: { resource?: OtlpResource; scopeSpans?: { spans?: OtlpSpan[] }[] }[] }, into: CollectedSpan[]): void {
  for (const resourceSpans of body.resourceSpans ?? []) {
    const service = serviceOf(resourceSpans.resource);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        into.push({
          service,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          name: span.name,
          kind: span.kind,
          links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
          attributes: attributesOf(span.attributes),
        });
      }
    }
  }
}

function collectMetricNames(body: { resourceMetrics?: { resource?: OtlpResource; scopeMetrics?: { metrics?: { name: string }[] }[] }[] }, into: Map<string, Set<string>>): void {
  for (const resourceMetrics of body.resourceMetrics ?? []) {
    const service = serviceOf(resourceMetrics.resource);
    let names = into.get(service);
    if (!names) into.set(service, (names = new Set()));
    for (const scope of resourceMetrics.scopeMetrics ?? []) for (const metric of scope.metrics ?? []) names.add(metric.name);
  }
}
