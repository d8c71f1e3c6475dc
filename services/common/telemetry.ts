// Structured JSON logs and OpenTelemetry tracing (exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set).
import { context, propagation, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevelName = keyof typeof LEVELS;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stderr, so stdout stays free for a command's own output. */
export function createLogger(service: string, minLevel: LogLevelName = 'info'): Logger {
  const write = (level: LogLevelName) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    const record = { time: new Date().toISOString(), level, service, msg: message, ...fields };
    process.stderr.write(JSON.stringify(record, errorReplacer) + '\n');
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export interface Telemetry {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export function initTelemetry(service: string): Telemetry {
  const spanProcessors: SpanProcessor[] = [];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? `runlog-${service}` }),
    spanProcessors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { tracer: trace.getTracer(`runlog-${service}`), shutdown: () => provider.shutdown() };
}

/** Carrier for NATS headers or gRPC metadata: anything with get/set of strings. */
export interface HeaderCarrier {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export function injectTraceContext(carrier: HeaderCarrier, from: Context = context.active()): void {
  propagation.inject(from, carrier, {
    set: (target, key, value) => target.set(key, value),
  });
}

export function extractTraceContext(carrier: HeaderCarrier): Context {
  return propagation.extract(context.active(), carrier, {
    get: (target, key) => target.get(key) || undefined,
    keys: () => ['traceparent', 'tracestate'],
  });
}

/** Runs work inside a span (a child of `parent`), recording failure; the span is current inside, so publishes carry it. */
export function inSpan<T>(tracer: Tracer, name: string, parent: Context, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The trace context a gRPC client sent in its metadata (traceparent), if any. */
export function grpcTraceContext(metadata: { get(key: string): (string | Buffer)[] }): Context {
  return extractTraceContext({ get: (key) => metadata.get(key)[0]?.toString(), set: () => undefined });
}
