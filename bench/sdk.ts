// Figures of the TypeScript SDK (issue 20): the batching logger's records/s until committed, against the raw gRPC load
// client of the same run; and `runlog import runnable` of a generated 1,000-run store, in runs/s.
//
// "Committed": the persister's watermark reached the stream's last sequence (its read API answers a
// minSeq read only then). Each half gets services, a stream and a DuckDB file of its own, so the
// second does not write beside the first one's rows.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '../services/common/subjects.js';
import { PersisterClient } from '../services/query/persister-client.js';
import { envNumber, round, startServices, type BenchContext, type FigureScript } from './harness.js';
import { runLoadClient, waitForWatermark } from './end-to-end.js';
import type { SdkAgentConfig, SdkAgentResult } from './sdk-logger-agent.js';

export const SDK_LOGGER = 'sdk.logger';
export const SDK_RAW_CLIENT = 'sdk.raw_client';
export const SDK_IMPORT = 'sdk.import_runnable';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const AGENT = fileURLToPath(new URL('./sdk-logger-agent.ts', import.meta.url));
const RUNLOG_BIN = fileURLToPath(new URL('../clients/ts/bin/runlog.mjs', import.meta.url));

function runChild(args: string[]): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-8192)));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(stdout.trim().split('\n').pop() ?? '') : reject(new Error(`${args.join(' ')} exited with ${code}:\n${stderr}`)))),
  );
}

async function committedAt(nc: NatsConnection, stream: string, prefix: string): Promise<number> {
  const lastSeq = (await (await jetstreamManager(nc)).streams.info(stream)).state.last_seq;
  await waitForWatermark(new PersisterClient(nc, new Subjects(prefix, 1), stream, 5000), lastSeq);
  return Date.now();
}

/** Raw load client first (its count sets the SDK's), then the SDK agent with the same records. */
async function loggerFigures(context: BenchContext, nc: NatsConnection) {
  const seconds = envNumber('BENCH_SDK_SECONDS', 10);
  const raw = await startServices(context, { name: 'sdk-raw', stream: 'BENCH_SDK_RAW', prefix: 'benchsdkraw', services: ['ingest'] });
  let rawRate: number;
  let records: number;
  try {
    context.progress(`SDK baseline: the raw load client for ${seconds}s (1 AppendStream, 4 in flight, 1000 records per request)`);
    const load = await runLoadClient({ address: raw.ingestAddress, seconds, streams: 1, window: 4, batchEvents: 1000, clientIndex: 0 });
    if (load.errors.length > 0) throw new Error(`load client: ${load.errors.slice(0, 3).join('; ')}`);
    records = load.records;
    rawRate = records / ((await committedAt(nc, 'BENCH_SDK_RAW', 'benchsdkraw')) - load.firstSendAt) * 1000;
  } finally {
    await raw.stop();
  }
  const sdk = await startServices(context, { name: 'sdk-logger', stream: 'BENCH_SDK_LOGGER', prefix: 'benchsdklogger', services: ['ingest'] });
  try {
    context.progress(`SDK logger: ${records} records through the batching logger (defaults)`);
    const spillDir = context.tempDir('sdk-spill');
    const config: SdkAgentConfig = { address: sdk.ingestAddress, records, spillDir };
    const result = JSON.parse(await runChild(['--import', 'tsx', AGENT, JSON.stringify(config)])) as SdkAgentResult;
    if (result.acked !== records) throw new Error(`the logger acked ${result.acked} of ${records} records`);
    const sdkRate = (records / ((await committedAt(nc, 'BENCH_SDK_LOGGER', 'benchsdklogger')) - result.firstLogAt)) * 1000;
    return [
      {
        id: SDK_RAW_CLIENT,
        title: 'SDK baseline: raw gRPC load client, records until committed',
        value: round(rawRate),
        unit: 'records/s',
        details: { records, seconds },
      },
      {
        id: SDK_LOGGER,
        title: 'SDK batching logger from one process, records until committed',
        value: round(sdkRate),
        unit: 'records/s',
        ratios: [{ to: SDK_RAW_CLIENT, target: { atLeast: 0.9 } }],
        notes: [`the agent used ${round(result.cpuSeconds / ((result.closedAt - result.firstLogAt) / 1000), 2)} cores while logging and closing; ${result.spilled} records spilled`],
        details: { records, spilled: result.spilled, agent_cpu_seconds: round(result.cpuSeconds, 2), log_to_close_s: round((result.closedAt - result.firstLogAt) / 1000, 2) },
      },
    ];
  } finally {
    await sdk.stop();
  }
}

/** A Runnable file-system store of `runs` runs, each a small ≥0.48 pipeline with a retried step. */
function writeRunnableStore(dir: string, runs: number): void {
  const store = join(dir, '.run_log_store');
  mkdirSync(store, { recursive: true });
  const attempt = (n: number, status: string, start: string, end: string, retry = '') => ({
    attempt_number: n,
    start_time: start,
    end_time: end,
    status,
    message: status === 'FAIL' ? 'Call to the function step did not succeed.\n' : '',
    input_parameters: {},
    output_parameters: { rows: { kind: 'json', value: 100 * n, description: 100 * n } },
    user_defined_metrics: {},
    retry_indicator: retry,
    code_identities: [],
  });
  const step = (name: string, type: string, attempts: unknown[]) => ({ name, internal_name: name, status: 'SUCCESS', step_type: type, message: '', mock: false, attempts, branches: {}, data_catalog: [] });
  for (let i = 0; i < runs; i++) {
    const run = {
      run_id: `bench-run-${String(i).padStart(5, '0')}`,
      dag_hash: 'ab'.repeat(20),
      tag: '',
      status: 'SUCCESS',
      steps: {
        extract: step('extract', 'task', [attempt(1, 'SUCCESS', '2026-01-20 09:00:00.000001', '2026-01-20 09:00:01.000001')]),
        load: step('load', 'task', [attempt(1, 'FAIL', '2026-01-20 09:00:01.100000', '2026-01-20 09:00:02.000000'), attempt(2, 'SUCCESS', '2026-01-20 09:05:00.000000', '2026-01-20 09:05:01.000000', '2')]),
        success: step('success', 'success', [attempt(1, 'SUCCESS', '2026-01-20 09:05:01.100000', '2026-01-20 09:05:01.100100')]),
      },
      job: null,
      parameters: { day: { kind: 'json', value: '2026-01-20', description: '2026-01-20' } },
      run_config: { pipeline_definition_file: 'pipelines/bench.py', run_id: `bench-run-${i}` },
    };
    writeFileSync(join(store, `${run.run_id}.json`), JSON.stringify(run, null, 4));
  }
}

async function importFigure(context: BenchContext) {
  const runs = envNumber('BENCH_SDK_IMPORT_RUNS', 1000);
  const dir = context.tempDir('sdk-import-store');
  writeRunnableStore(dir, runs);
  const services = await startServices(context, { name: 'sdk-import', stream: 'BENCH_SDK_IMPORT', prefix: 'benchsdkimport', services: ['ingest', 'query'] });
  try {
    context.progress(`runlog import runnable of a generated store of ${runs} runs`);
    const startedAt = performance.now();
    const summary = JSON.parse(await runChild([RUNLOG_BIN, '--ingest', services.ingestAddress, '--query', services.queryAddress, 'import', 'runnable', dir, '--json'])) as { imported: number };
    const seconds = (performance.now() - startedAt) / 1000;
    if (summary.imported !== runs) throw new Error(`imported ${summary.imported} of ${runs} runs`);
    return [
      {
        id: SDK_IMPORT,
        title: `runlog import runnable: ${runs} generated runs, process start to summary`,
        value: round(runs / seconds, 1),
        unit: 'runs/s',
        notes: ['each run is one GetRun (is it there?) and one Append; 8 runs are stored at once'],
        details: { runs, seconds: round(seconds, 2) },
      },
    ];
  } finally {
    await services.stop();
  }
}

export const sdkFigures: FigureScript = {
  name: 'sdk',
  issue: 20,
  async measure(context) {
    const nc = await connect({ servers: await context.natsUrl() });
    try {
      return [...(await loggerFigures(context, nc)), ...(await importFigure(context))];
    } finally {
      await nc.close();
    }
  },
};
