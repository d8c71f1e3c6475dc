// Figures of issue 4: bytes and time per step written (runlog vs Grapheteria's whole-document rewrite in SQLite), fork and resume latency against parent length.
//
// Per run length L (10, 100, 1,000, 10,000 steps) each side fills the run to L − W steps
// untimed, then writes the last W steps one save at a time (W = 50): the per-step cost at that
// length. runlog: one Append of one StepSnapshot per step, timed to its ack (durable in
// JetStream), bytes = what the stream stored. Baseline: bench/grapheteria-sqlite.py, Python's
// sqlite3 upserting json.dumps(tracking_data) of the whole run and committing after each step,
// as Grapheteria's SQLiteStorage does; bytes = the JSON handed to SQLite. Both sides save the
// same ~1 KiB step dictionary (Grapheteria's ExecutionState.to_dict() shape).
// Then Fork (from the last step) and Resume (latest, and an earlier step) on each run, timed at
// the gRPC client: the fork copies nothing, so its latency should not depend on L.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadContract } from '../services/common/proto.js';
import { Subjects } from '../services/common/subjects.js';
import { PersisterClient } from '../services/query/persister-client.js';
import type { Event } from '../services/common/gen/runlog/v1/Event.js';
import type { IngestServiceClient } from '../services/common/gen/runlog/v1/IngestService.js';
import type { StateServiceClient } from '../services/common/gen/runlog/v1/StateService.js';
import { contentionWarnings, cpuMeter, envNumber, quantile, round, startServices, type Figure, type FigureScript } from './harness.js';

const STREAM = 'BENCH_STATE';
const PREFIX = 'benchstate';
const WORKFLOW = 'bench.state';
const NODES = Array.from({ length: 20 }, (_, i) => `node-${i}`);
const BASELINE_SCRIPT = fileURLToPath(new URL('./grapheteria-sqlite.py', import.meta.url));

/** Grapheteria's step dictionary (ExecutionState.to_dict()), about 1 KiB: the state both sides save per step. */
const STEP_TEMPLATE = {
  shared: { counter: 0, customer: { id: 'c-1042', tier: 'gold', region: 'eu-west' }, notes: 'n'.repeat(700), items: [1, 2, 3, 4, 5, 6, 7, 8] },
  next_node_id: null as string | null,
  workflow_status: 'HEALTHY',
  // Cumulative in Grapheteria; a run that has been through every node, so each step's state is the same size.
  node_statuses: Object.fromEntries(NODES.map((node) => [node, 'completed'])) as Record<string, string>,
  awaiting_input: null,
  previous_node_id: null as string | null,
  metadata: { save_time: '2026-01-01T00:00:00', step: 0 },
};

/** The same per-step changes bench/grapheteria-sqlite.py makes. */
function stepState(step: number): string {
  const state = structuredClone(STEP_TEMPLATE);
  state.shared.counter = step;
  state.metadata.step = step;
  state.previous_node_id = `node-${step % 20}`;
  state.next_node_id = `node-${(step + 1) % 20}`;
  state.node_statuses[`node-${step % 20}`] = 'completed';
  return JSON.stringify(state);
}

function stepEvent(runId: string, step: number): Event {
  return {
    workflowId: WORKFLOW,
    runId,
    step: {
      step,
      nodeId: `node-${step % 20}`,
      stateJson: stepState(step),
      nextNodeIds: [`node-${(step + 1) % 20}`],
      processedNodeIds: NODES,
    },
  };
}

type Unary<Req, Res> = (request: Req, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Res) => void) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, { deadline: Date.now() + 60_000 }, (error, response) => (error ? reject(error) : resolve(response!))));
}

const stats = (samples: number[]) => ({ p50_ms: round(quantile(samples, 0.5), 2), p95_ms: round(quantile(samples, 0.95), 2), mean_ms: round(samples.reduce((a, b) => a + b, 0) / samples.length, 2) });

interface BaselineResult {
  length: number;
  timed_steps: number;
  ms_per_step: number;
  bytes_per_step: number;
  whole_run_bytes: number;
}

function runBaseline(db: string, lengths: number[], window: number): { sqliteVersion: string; results: BaselineResult[] } | { error: string } {
  const spec = { db, lengths, window, step_template: STEP_TEMPLATE };
  const result = spawnSync('python3', [BASELINE_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error || result.status !== 0) return { error: String(result.error ?? result.stderr).slice(0, 500) };
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!) as { sqlite_version: string; results: BaselineResult[] };
  return { sqliteVersion: parsed.sqlite_version, results: parsed.results };
}

export const stateFigures: FigureScript = {
  name: 'state',
  issue: 4,
  async measure(context) {
    const lengths = (process.env.BENCH_STATE_LENGTHS ?? '10,100,1000,10000').split(',').map(Number).filter((n) => n > 0);
    const window = envNumber('BENCH_STATE_WINDOW', 50);
    const forks = envNumber('BENCH_STATE_FORKS', 100);
    const resumes = envNumber('BENCH_STATE_RESUMES', 50);
    const cluster = await startServices(context, { name: 'state', stream: STREAM, prefix: PREFIX, services: ['ingest', 'query'] });
    const { processes } = cluster;
    const nc = await connect({ servers: await context.natsUrl() });
    const { proto } = loadContract();
    let ingest: IngestServiceClient | undefined;
    let state: StateServiceClient | undefined;
    try {
      ingest = new proto.runlog.v1.IngestService(cluster.ingestAddress, grpc.credentials.createInsecure());
      state = new proto.runlog.v1.StateService(cluster.queryAddress, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
      const append = (events: Event[]) => call((r, o, cb) => ingest!.Append(r, o, cb), { events });
      const jsm = await jetstreamManager(nc);
      const streamBytes = async () => (await jsm.streams.info(STREAM)).state.bytes;

      const reader = new PersisterClient(nc, new Subjects(PREFIX, 1), STREAM, 120_000);
      const persisted = async () => reader.ask(0, { op: 'watermark', minSeq: (await jsm.streams.info(STREAM)).state.last_seq });
      const windowOf = (length: number) => Math.min(length, window);
      for (const length of lengths) {
        const runId = `run-${length}`;
        context.progress(`state: filling a ${length}-step run to ${length - windowOf(length)} steps`);
        const untimed: Event[] = [{ workflowId: WORKFLOW, runId, runStarted: { workflowName: 'bench', nodeIds: NODES } }];
        for (let step = 0; step < length - windowOf(length); step++) untimed.push(stepEvent(runId, step));
        for (let start = 0; start < untimed.length; start += 1000) await append(untimed.slice(start, start + 1000));
      }
      // A warm connection, and a persister done with the fill, before anything is timed.
      for (let step = 0; step < 20; step++) await append([stepEvent('warm-up', step)]);
      await persisted();

      const meter = cpuMeter({ 'nats-server': context.natsProcess()?.child.pid, persister: processes.persister?.child.pid, query: processes.query?.child.pid });
      // The runs take turns, so a change in the machine's load hits every length alike.
      context.progress(`state: timing the last ${window} steps of each run, one Append each, the runs taking turns`);
      const writeSamples = new Map(lengths.map((length) => [length, { ms: [] as number[], bytes: 0 }]));
      for (let i = 0; i < window; i++) {
        for (const length of lengths.filter((candidate) => i < windowOf(candidate))) {
          const before = await streamBytes();
          const start = performance.now();
          await append([stepEvent(`run-${length}`, length - windowOf(length) + i)]);
          writeSamples.get(length)!.ms.push(performance.now() - start);
          writeSamples.get(length)!.bytes += (await streamBytes()) - before;
        }
      }
      const writes = Object.fromEntries(
        lengths.map((length) => {
          const { ms, bytes } = writeSamples.get(length)!;
          return [length, { ms_per_step: round(ms.reduce((a, b) => a + b, 0) / ms.length, 3), p50_ms: round(quantile(ms, 0.5), 3), bytes_per_step: round(bytes / ms.length, 1), timed_steps: ms.length }];
        }),
      );
      await persisted();

      const runOf = (length: number) => ({ workflowId: WORKFLOW, runId: `run-${length}` });
      /** Latency samples per length, the runs taking turns; `work(length, i)` is the i-th call on that run. */
      const inTurns = async (count: (length: number) => number, work: (length: number, i: number) => Promise<unknown>) => {
        const samples = new Map(lengths.map((length) => [length, [] as number[]]));
        for (let i = 0; i < Math.max(...lengths.map(count)); i++) {
          for (const length of lengths.filter((candidate) => i < count(candidate))) {
            const start = performance.now();
            await work(length, i);
            samples.get(length)!.push(performance.now() - start);
          }
        }
        return Object.fromEntries(lengths.map((length) => [length, stats(samples.get(length)!)]));
      };
      context.progress(`state: ${forks} forks of each run`);
      for (let i = 0; i < 10; i++) await call((r, o, cb) => state!.Fork(r, o, cb), { run: runOf(lengths[0]), fromStep: 0, newRunId: `warm-up-fork-${i}` });
      const forkLatency = await inTurns(() => forks, (length, i) => call((r, o, cb) => state!.Fork(r, o, cb), { run: runOf(length), fromStep: length - 1, newRunId: `fork-${length}-${i}` }));
      context.progress(`state: ${resumes} resumes of each run at its latest step, then ${resumes} of earlier steps`);
      const resumeLatest = await inTurns(() => resumes, (length) => call((r, o, cb) => state!.Resume(r, o, cb), { run: runOf(length), nodeIds: NODES }));
      // Each resume of an earlier step makes it the head, so they go down one step at a time.
      const resumeEarlier = await inTurns(
        (length) => Math.min(resumes, length - 1),
        (length, i) => call((r, o, cb) => state!.Resume(r, o, cb), { run: runOf(length), resumeFrom: length - 2 - i, nodeIds: NODES }),
      );
      const cores = meter.stop();

      context.progress('state: Grapheteria-style baseline (python3 sqlite3)');
      const baseline = runBaseline(join(context.tempDir('state-baseline'), 'grapheteria.db'), lengths, window);
      const shortest = lengths[0];
      const longest = lengths[lengths.length - 1];
      const figures: Figure[] = [];
      if ('results' in baseline) {
        const at = (length: number) => baseline.results.find((result) => result.length === length)!;
        const details = { sqlite_version: baseline.sqliteVersion, by_length: Object.fromEntries(baseline.results.map((result) => [result.length, result])) };
        figures.push(
          // Ratios the baseline's way round (baseline ÷ runlog): runlog's share would print as 0.
          { id: 'state.baseline.bytes_per_step', title: `Grapheteria SQLite baseline: bytes written per step, ${longest}-step run`, value: round(at(longest).bytes_per_step), unit: 'B', ratios: [{ to: 'state.write.bytes_per_step' }], details },
          { id: 'state.baseline.ms_per_step', title: `Grapheteria SQLite baseline: time per step, ${longest}-step run`, value: round(at(longest).ms_per_step, 2), unit: 'ms', ratios: [{ to: 'state.write.ms_per_step' }], details },
        );
      }
      const baselineWarning = 'error' in baseline ? [`no baseline: python3 with sqlite3 did not run (${baseline.error})`] : [];
      figures.push(
        {
          id: `state.write.bytes_per_step_${shortest}`,
          title: `runlog: bytes written per step, ${shortest}-step run`,
          value: writes[shortest].bytes_per_step,
          unit: 'B',
        },
        {
          id: 'state.write.bytes_per_step',
          title: `runlog: bytes written per step, ${longest}-step run`,
          value: writes[longest].bytes_per_step,
          unit: 'B',
          // Constant per step: the longest run costs what the shortest does.
          ratios: [{ to: `state.write.bytes_per_step_${shortest}`, target: { atMost: 1.1 } }],
          warnings: baselineWarning,
          details: { by_length: writes, measured: 'JetStream stream bytes added per Append of one step (DuckDB then stores the state once more, compressed)' },
        },
        {
          id: `state.write.ms_per_step_${shortest}`,
          title: `runlog: time per step (Append ack), ${shortest}-step run`,
          value: writes[shortest].ms_per_step,
          unit: 'ms',
        },
        {
          id: 'state.write.ms_per_step',
          title: `runlog: time per step (Append ack), ${longest}-step run`,
          value: writes[longest].ms_per_step,
          unit: 'ms',
          ratios: [{ to: `state.write.ms_per_step_${shortest}`, target: { atMost: 1.5 } }],
          warnings: contentionWarnings(cores),
          details: { by_length: writes, cores_used: cores },
        },
        {
          id: `state.fork.p50_${shortest}`,
          title: `Fork p50, parent of ${shortest} steps`,
          value: forkLatency[shortest].p50_ms,
          unit: 'ms',
          target: { atMost: 5 },
        },
        {
          id: 'state.fork.p50',
          title: `Fork p50, parent of ${longest} steps`,
          value: forkLatency[longest].p50_ms,
          unit: 'ms',
          target: { atMost: 5 },
          ratios: [{ to: `state.fork.p50_${shortest}`, target: { atMost: 1.5 } }],
          warnings: contentionWarnings(cores),
          details: { by_parent_length: forkLatency, forks_per_length: forks, cores_used: cores },
        },
        {
          id: 'state.resume.p50',
          title: `Resume (latest step, validated) p50, ${longest}-step run`,
          value: resumeLatest[longest].p50_ms,
          unit: 'ms',
          details: { latest_by_length: resumeLatest, earlier_step_by_length: resumeEarlier, resumes_per_length: resumes },
        },
        {
          id: 'state.resume_earlier.p50',
          title: `Resume (an earlier step: validation + marker) p50, ${longest}-step run`,
          value: resumeEarlier[longest].p50_ms,
          unit: 'ms',
          details: { by_length: resumeEarlier },
        },
      );
      return figures;
    } finally {
      ingest?.close();
      state?.close();
      await cluster.stop();
      await nc.close();
    }
  },
};
