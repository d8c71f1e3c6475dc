// Structured JSON logs (pino) with the active trace's ids, and OpenTelemetry tracing (exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set).
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Link, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { pino } from 'pino';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * One JSON object per line on stderr, so stdout stays free for a command's own output:
 * `level` (its name), `time`, `service`, `msg`, the fields, and `trace_id` and `span_id` when
 * logged inside a span. Written synchronously: the last lines before an exit are never lost.
 * Fields name what happened (ids, counts, codes), never an event's contents.
 */
export function createLogger(service: string, minLevel: LogLevelName = 'info', destination: number = 2): Logger {
  const log = pino(
    {
      level: minLevel,
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTraceIds,
    },
    pino.destination({ fd: destination, sync: true }),
  );
  const write = (level: LogLevelName) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) log[level](withPlainErrors(fields), message);
    else log[level](message);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function activeTraceIds(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** An Error among the fields becomes its name and message (JSON would print it as {}; its stack only when asked for). */
function withPlainErrors(fields: Record<string, unknown>): Record<string, unknown> {
  for (const key in fields) {
    if (fields[key] instanceof Error) {
      const copy: Record<string, unknown> = { ...fields };
      for (const name in copy) {
        const value = copy[name];
        if (value instanceof Error) copy[name] = { name: value.name, message: value.message };
      }
      return copy;
    }
  }
  return fields;
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
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  parent: Context,
  attributes: Record<string, string | number | boolean>,
  work: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
  links?: Link[],
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind, links }, parent, async (span) => {
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

/**
 * The parent and links of a span that handles many messages at once (a persister batch): the
 * first traced message's context is its parent, so that message's trace shows the batch that
 * stored it; the other messages' spans are links. At most `maxLinks` are kept.
 */
export function batchTraceContext(traceparents: Iterable<string | undefined>, maxLinks = 128): { parent: Context; links: Link[] } {
  let parent: Context | undefined;
  const links: Link[] = [];
  for (const traceparent of traceparents) {
    if (!traceparent) continue;
    const extracted = extractTraceContext({ get: (key) => (key === 'traceparent' ? traceparent : undefined), set: () => undefined });
    const spanContext = trace.getSpanContext(extracted);
    if (!spanContext) continue;
    if (!parent) parent = extracted;
    else if (links.length < maxLinks) links.push({ context: spanContext });
    else break;
  }
  return { parent: parent ?? context.active(), links };
}

/** The trace context a gRPC client sent in its metadata (traceparent), if any. */
export function grpcTraceContext(metadata: { get(key: string): (string | Buffer)[] }): Context {
  return extractTraceContext({ get: (key) => metadata.get(key)[0]?.toString(), set: () => undefined });
}
