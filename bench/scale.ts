// Figures: records/s committed through a loopback cluster (3 nats-servers, stream R3, one ingest, P persisters) for P = 1, 2, 4, with each process kind's CPU per record.
//
// Per P, on a cluster of its own:
//   1. Load clients (child processes, bench/load-client.ts) send for a fixed time over AppendStream,
//      their workflows spread evenly over the P partitions.
//   2. The last stream sequence of each partition's subjects is read from JetStream; the bench asks
//      each persister's read API for its watermark with that minSeq, which answers once committed.
//   3. The persisters are stopped and their DuckDB files counted: every acked record once.
//   Rate = records committed ÷ (last watermark reached − first send).
// CPU is read from /proc for every process from the first send until everything is committed, so
// CPU seconds ÷ records is each kind's cost per record. Every process shares the machine's cores:
// on a small machine the figure is bounded by the cores, not by P.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { partitionOf, Subjects } from '../services/common/subjects.js';
import { PersisterClient } from '../services/query/persister-client.js';
import { startNatsCluster, startServiceOnFreePort, type RunningService } from '../test/helpers/multi-node.js';
import { contentionWarnings, coreCount, cpuMeter, envNumber, round, type BenchContext, type Figure, type FigureScript } from './harness.js';
import { loadTotals, runLoadClient } from './end-to-end.js';

const STREAM = 'BENCH_SCALE';
const PREFIX = 'benchscale';
// Each of the 3 nodes keeps a whole copy (R3) and reserves this much of its store.
const STREAM_BYTES = '4GiB';
const CATCH_UP_LIMIT_MS = 180_000;

export const scaleFigureId = (partitions: number) => `scale.p${partitions}`;

/** `count` workflow ids, as many in each of the `partitions` partitions (count a multiple of partitions). */
function balancedWorkflows(count: number, partitions: number): string[] {
  const perPartition = new Array<number>(partitions).fill(0);
  const chosen: string[] = [];
  for (let k = 0; chosen.length < count; k++) {
    const id = `scale-wf-${k}`;
    const p = partitionOf(id, partitions);
    if (perPartition[p] < count / partitions) {
      perPartition[p]++;
      chosen.push(id);
    }
  }
  return chosen;
}

async function countStore(path: string): Promise<{ rows: number; distinct: number }> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    const [[rows, distinct]] = (await connection.runAndReadAll('SELECT count(*), count(DISTINCT (seq, idx)) FROM logs')).getRows().map((row) => row.map(Number));
    return { rows, distinct };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function measurePartitions(context: BenchContext, partitions: number): Promise<Figure> {
  const seconds = envNumber('BENCH_SCALE_SECONDS', 15);
  const clients = envNumber('BENCH_SCALE_CLIENTS', 2);
  const streams = envNumber('BENCH_SCALE_STREAMS', 8);
  const window = envNumber('BENCH_WINDOW', 4);
  const batchEvents = envNumber('BENCH_BATCH_EVENTS', 1000);
  if ((clients * streams) % partitions !== 0) throw new Error(`${clients * streams} workflows do not spread evenly over ${partitions} partitions`);

  const dir = context.tempDir(`scale-p${partitions}`);
  const nats = await startNatsCluster(join(dir, 'nats'), 3);
  const dataDir = join(dir, 'data');
  const env = {
    RUNLOG_NATS_URL: nats.url,
    RUNLOG_STREAM: STREAM,
    RUNLOG_SUBJECT_PREFIX: PREFIX,
    RUNLOG_PARTITIONS: String(partitions),
    RUNLOG_STREAM_REPLICAS: '3',
    RUNLOG_STREAM_MAX_BYTES: STREAM_BYTES,
    RUNLOG_DATA_DIR: dataDir,
    // info, not warn: the launcher reads each service's port from its 'listening' line.
    RUNLOG_LOG_LEVEL: 'info',
  };
  const persisters: RunningService[] = [];
  let ingest: RunningService | undefined;
  const nc = await connect({ servers: nats.url.split(',') });
  try {
    context.progress(`scale P=${partitions}: starting 3 nats-servers (R3), ${partitions} persister(s), 1 ingest`);
    // The first persister creates the stream; the others find it.
    persisters.push(await startServiceOnFreePort('persister', { ...env, RUNLOG_PARTITION: '0' }, { label: 'persister-0' }));
    persisters.push(...(await Promise.all(Array.from({ length: partitions - 1 }, (_, i) => startServiceOnFreePort('persister', { ...env, RUNLOG_PARTITION: String(i + 1) }, { label: `persister-${i + 1}` })))));
    ingest = await startServiceOnFreePort('ingest', env);

    const workflows = balancedWorkflows(clients * streams, partitions);
    context.progress(`scale P=${partitions}: ${seconds}s of ${clients} client process(es) × ${streams} AppendStream × ${window} requests in flight, ${batchEvents} records per request`);
    const loads = Array.from({ length: clients }, (_, clientIndex) =>
      runLoadClient({ address: ingest!.address, seconds, streams, window, batchEvents, clientIndex, workflowIds: workflows.slice(clientIndex * streams, (clientIndex + 1) * streams) }),
    );
    const meter = cpuMeter({
      ...Object.fromEntries(nats.nodes.map((node) => [`nats-server-${node.index}`, node.proc.child.pid])),
      ingest: ingest.proc.child.pid,
      ...Object.fromEntries(persisters.map((persister, p) => [`persister-${p}`, persister.proc.child.pid])),
    });
    const meterStartedAt = performance.now();
    const results = await Promise.all(loads);
    const { acked, firstSendAt } = loadTotals(results);

    const jsm = await jetstreamManager(nc);
    const subjects = new Subjects(PREFIX, partitions);
    const reader = new PersisterClient(nc, subjects, STREAM, 5000);
    context.progress(`scale P=${partitions}: ${acked} records acked; waiting for every persister to commit its partition`);
    await Promise.all(
      persisters.map(async (_, p) => {
        const last = await jsm.streams.getMessage(STREAM, { last_by_subj: subjects.partitionEvents(p) });
        if (!last) throw new Error(`partition ${p} has no message in the stream`);
        const deadline = Date.now() + CATCH_UP_LIMIT_MS;
        for (;;) {
          try {
            await reader.ask(p, { op: 'watermark', minSeq: last.seq });
            return;
          } catch (error) {
            if (Date.now() > deadline) throw new Error(`persister ${p} did not reach sequence ${last.seq}: ${(error as Error).message}`);
          }
        }
      }),
    );
    const committedAt = Date.now();
    const meterSeconds = (performance.now() - meterStartedAt) / 1000;
    const cores = meter.stop(Object.fromEntries(results.map((result, i) => [`load-client-${i}`, result.cpuSeconds / meterSeconds])));
    const kindOf = (name: string) => name.replace(/-\d+$/, '');
    const coresByKind: Record<string, number> = {};
    for (const [name, value] of Object.entries(cores)) coresByKind[kindOf(name)] = round((coresByKind[kindOf(name)] ?? 0) + value, 2);
    const cpuPerRecord = Object.fromEntries(
      Object.entries(coresByKind)
        .filter(([kind]) => kind !== 'other processes' && kind !== 'bench')
        .map(([kind, value]) => [kind, round((value * meterSeconds * 1e6) / acked, 2)]),
    );

    await Promise.all(persisters.splice(0).map((persister) => persister.proc.stop()));
    const stored = await Promise.all(Array.from({ length: partitions }, (_, p) => countStore(join(dataDir, `partition-${p}.duckdb`))));
    const rows = stored.reduce((sum, s) => sum + s.rows, 0);
    if (rows !== acked || stored.some((s) => s.distinct !== s.rows)) throw new Error(`stored ${rows} rows for ${acked} acked records (${JSON.stringify(stored)})`);

    const elapsedSeconds = (committedAt - firstSendAt) / 1000;
    const serviceCpu = Object.entries(cpuPerRecord).filter(([kind]) => !kind.startsWith('load-client'));
    return {
      id: scaleFigureId(partitions),
      title: `scale-out P=${partitions}: committed records/s (3 nats-servers R3, 1 ingest, ${partitions} persister${partitions > 1 ? 's' : ''})`,
      value: round(acked / elapsedSeconds),
      unit: 'records/s',
      ratios: partitions > 1 ? [{ to: scaleFigureId(1) }] : undefined,
      warnings: contentionWarnings(cores),
      notes: [
        `CPU per record: ${serviceCpu.map(([kind, us]) => `${kind} ${us} µs`).join(', ')} (all ${partitions} persisters and all 3 nats-servers summed); cores busy: ${Object.entries(coresByKind).map(([kind, value]) => `${kind} ${value}`).join(', ')} of ${coreCount()}`,
      ],
      details: {
        partitions,
        records: acked,
        records_per_partition: stored.map((s) => s.rows),
        seconds_first_send_to_last_commit: round(elapsedSeconds, 2),
        cores_used: cores,
        cores_used_by_kind: coresByKind,
        cpu_us_per_record: cpuPerRecord,
        load: { clients, streams_per_client: streams, requests_in_flight_per_stream: window, records_per_request: batchEvents, seconds },
      },
    };
  } finally {
    await Promise.all([ingest, ...persisters].map((service) => service?.proc.stop()));
    await nc.close();
    await nats.stop();
  }
}

export const scale: FigureScript = {
  name: 'scale',
  issue: 21,
  async measure(context) {
    const counts = (process.env.BENCH_SCALE_PARTITIONS ?? '1,2,4').split(',').map(Number);
    const figures: Figure[] = [];
    for (const partitions of counts) figures.push(await measurePartitions(context, partitions));
    return figures;
  },
};
