// The services' log lines: one JSON object per line with level names, the service, msg and fields, the active trace's ids, and the configured lowest level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { context, propagation, trace } from '@opentelemetry/api';
import { createLogger, type LogLevelName } from '../services/common/telemetry.js';

/** What a logger at `level` wrote while `write` ran, one parsed object per line. */
function linesOf(level: LogLevelName, write: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-logs-'));
  try {
    const path = join(dir, 'log');
    const fd = openSync(path, 'w');
    write(createLogger('ingest', level, fd));
    closeSync(fd);
    return readFileSync(path, 'utf8').trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a line holds level by name, time, service, msg and the fields', () => {
  const [line] = linesOf('info', (logger) => logger.info('ingest listening', { address: '127.0.0.1:0', port: 7070 }));
  assert.equal(line.level, 'info');
  assert.equal(line.service, 'ingest');
  assert.equal(line.msg, 'ingest listening');
  assert.equal(line.port, 7070);
  assert.equal(line.address, '127.0.0.1:0');
  assert.ok(!Number.isNaN(Date.parse(String(line.time))), `time ${line.time}`);
  assert.equal(line.trace_id, undefined, 'no trace ids outside a span');
});

test('lines below the configured level are not written', () => {
  const lines = linesOf('warn', (logger) => {
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
  });
  assert.deepEqual(lines.map((line) => [line.level, line.msg]), [['warn', 'w'], ['error', 'e']]);
  assert.deepEqual(linesOf('debug', (logger) => logger.debug('d')).map((line) => line.level), ['debug']);
});

test('an Error among the fields is written as its name and message', () => {
  const [line] = linesOf('info', (logger) => logger.error('read failed', { error: new RangeError('out of range'), seq: 4 }));
  assert.deepEqual(line.error, { name: 'RangeError', message: 'out of range' });
  assert.equal(line.seq, 4);
});

test('a line written inside a span carries its trace and span ids', () => {
  // register() installs the context manager that makes a span current, as initTelemetry does in the services.
  const provider = new NodeTracerProvider();
  provider.register();
  try {
    const tracer = provider.getTracer('test');
    let ids: { traceId: string; spanId: string } | undefined;
    const [line] = linesOf('info', (logger) =>
      tracer.startActiveSpan('work', (span) => {
        ids = span.spanContext();
        logger.info('inside');
        span.end();
      }),
    );
    assert.equal(line.trace_id, ids!.traceId);
    assert.equal(line.span_id, ids!.spanId);
  } finally {
    context.disable();
    trace.disable();
    propagation.disable();
  }
});
