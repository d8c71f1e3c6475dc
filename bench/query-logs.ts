// Figures: QueryLogs latency for one run's 1,000 logs in a 10-million-record partition, through the services and straight from DuckDB.
//
// The 10M file comes from logs-store.ts (cached). One copy is the data dir of a real persister and
// query service; the bench asks QueryLogs (page_size 1000, filter workflow + run) for one run at a
// time, a different run each time, and checks every answer holds that run's 1,000 records. A second
// copy is opened in this process, and each run is also read from it:
//   - the baseline: the SQL the persister runs for that request (extent lookup in run_extents,
//     then the narrowed select with the stream positions written into its text, as the persister
//     does, sql.ts positionLiteral), rows read into JS; the
//     service ÷ baseline ratio is the overhead of the persister's encoding, NATS, the query service,
//     gRPC and the client's decoding;
//   - in the details: the persister's readLogs() in-process (its SQL plus rows → encoded records; run
//     extents held in memory, as the persister loads them at start),
//     the persister's answer over NATS (what the query service receives),
//     and the naive SQL a user would type (no run_extents), to show what the extents buy.
// Each run is read by every variant in turn (the order rotating), so all see the same machine: on a
// shared machine, other work slows them alike and the ratios hold even when the values wander.
// All timings are warm: each variant first reads WARM_UP other runs, so DuckDB's buffer pools and the
// page cache hold the file, as they would in a persister that has been serving for a while.
import { copyFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { loadConfig } from '../services/common/config.js';
import type { StoredEvent__Output } from '../services/common/gen/runlog/v1/StoredEvent.js';
import { createLogRecordsWire } from '../services/common/wire/log-page.js';
import { loadProtoRoot } from '../services/common/proto.js';
import { freePort, startService, waitForHealthy, type ManagedProcess } from '../scripts/local-cluster.js';
import { ensureStream, STREAM_SPEC } from '../services/common/stream.js';
import { Subjects } from '../services/common/subjects.js';
import { readLogs } from '../services/persister/read/events.js';
import { columnsFor } from '../services/persister/read/stored-rows.js';
import { RunExtents } from '../services/persister/index/run-extents.js';
import { positionLiteral } from '../services/persister/read/sql.js';
import { PersisterClient } from '../services/query/persister-client.js';
import { queryClient, queryLogs } from '../test/helpers/query-client.js';
import { cpuSeconds, envNumber, round, type FigureScript } from './harness.js';
import { latencyFigures, latencySummary } from './latency.js';
import { runIdOf, TEN_MILLION, tenMillionStore, workflowOfRun, type StoreShape } from './logs-store.js';

const STREAM = 'BENCH_QUERY_LOGS';
const PREFIX = 'benchql';
const PAGE = 1000;
const WARM_UP = 30;

interface RunRef {
  workflowId: string;
  runId: string;
}

/** `count` distinct runs spread over the whole store (a stride coprime with the run count), after `skip` of them. */
function pickRuns(shape: StoreShape, skip: number, count: number): RunRef[] {
  const stride = 7919; // prime, so the stride visits every run before repeating
  return Array.from({ length: count }, (_, i) => {
    const run = ((skip + i) * stride) % shape.runs;
    return { workflowId: workflowOfRun(run, shape), runId: runIdOf(run) };
  });
}

/** What a read returned, enough to check it: how many records, and the run of the first. */
interface Answer {
  count: number;
  runId: unknown;
}

/** Fails the figure unless the answer is the run's 1,000 records. */
function check(what: string, run: RunRef, answer: Answer): void {
  if (answer.count !== PAGE || answer.runId !== run.runId) {
    throw new Error(`${what} for ${run.workflowId}/${run.runId}: ${answer.count} records (run ${String(answer.runId)}), expected ${PAGE}`);
  }
}

type Variant = (run: RunRef) => Promise<Answer>;

/** Milliseconds of each variant per run: every run read by each variant in turn, the first one rotating. */
async function timeInTurn<Name extends string>(variants: Record<Name, Variant>, runs: readonly RunRef[]): Promise<Record<Name, number[]>> {
  const names = Object.keys(variants) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (const [i, run] of runs.entries()) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const startedAt = performance.now();
      const answer = await variants[name](run);
      samples[name].push(performance.now() - startedAt);
      check(name, run, answer);
    }
  }
  return samples;
}

/** The in-process reads of a copy of the file, and the plan of the persister's select for one run. */
async function directReads(path: string, watermark: number) {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const wire = createLogRecordsWire();
  // As the persister holds them after its start.
  const runExtents = new RunExtents(50_000);
  await runExtents.load(connection);
  const storedEventType = loadProtoRoot('runlog/v1/events.proto').lookupType('runlog.v1.StoredEvent');
  const answerOfPage = (page: Uint8Array): Answer => {
    const records = wire.unframe(page);
    return { count: records.length, runId: records[0] && (storedEventType.toObject(storedEventType.decode(records[0].storedEvent)) as StoredEvent__Output).event?.runId };
  };
  const rows = async (sql: string, values: (string | bigint)[]) => (await connection.runAndReadAll(sql, values)).getRowObjects();
  // The persister's two statements for this request (read-events.ts), with plain JS rows out.
  const extentSql = 'SELECT min(first_seq) AS lo, max(last_seq) AS hi FROM run_extents WHERE workflow_id = $1 AND run_id = $2';
  // Like the persister's, the select list leaves out the ids the WHERE fixes.
  const selectOf = async (run: RunRef) => {
    const [extent] = await rows(extentSql, [run.workflowId, run.runId]);
    return {
      sql: `SELECT ${columnsFor('log', run).columns} FROM logs WHERE seq <= ${positionLiteral(watermark)} AND seq BETWEEN ${positionLiteral(extent.lo)} AND ${positionLiteral(extent.hi)}
            AND run_id = $2 AND workflow_id = $1 ORDER BY seq, idx LIMIT ${PAGE + 1}`,
      values: [run.workflowId, run.runId],
    };
  };
  const ofRows = (read: (run: RunRef) => Promise<Record<string, unknown>[]>, fixed: (run: RunRef) => Record<string, unknown> = () => ({})) => async (run: RunRef) => {
    const answer = await read(run);
    return { count: answer.length, runId: answer[0] && { ...fixed(run), ...answer[0] }.run_id };
  };
  return {
    persisterSql: ofRows(async (run) => {
      const select = await selectOf(run);
      return rows(select.sql, select.values);
    }, (run) => columnsFor('log', run).fixed),
    persisterRead: async (run: RunRef) => {
      const page = await readLogs(connection, { op: 'logs', filter: { workflowId: run.workflowId, runId: run.runId }, descending: false, upTo: watermark, limit: PAGE }, { wire, watermark, runExtents });
      return answerOfPage(page.bytes);
    },
    answerOfPage,
    naiveSql: ofRows((run) => rows(`SELECT * FROM logs WHERE workflow_id = $1 AND run_id = $2 ORDER BY seq, idx LIMIT ${PAGE}`, [run.workflowId, run.runId])),
    async explain(run: RunRef): Promise<string> {
      const select = await selectOf(run);
      const plan = await connection.runAndReadAll(`EXPLAIN ANALYZE ${select.sql}`, select.values);
      return String(plan.getRows()[0]?.[1] ?? '');
    },
    close(): void {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export const queryLogsFigures: FigureScript = {
  name: 'query-logs',
  issue: 3,
  async measure(context) {
    const shape = TEN_MILLION;
    const queries = envNumber('BENCH_QUERY_LOGS_QUERIES', 200);
    const built = await tenMillionStore(shape, (message) => context.progress(message));
    const dataDir = context.tempDir('query-logs');
    copyFileSync(built.path, join(dataDir, 'partition-0.duckdb'));
    const baselinePath = join(context.tempDir('query-logs-baseline'), 'baseline.duckdb');
    copyFileSync(built.path, baselinePath);
    const warmUp = pickRuns(shape, 0, WARM_UP);
    const measured = pickRuns(shape, WARM_UP, queries);

    const natsUrl = await context.natsUrl();
    const queryAddress = `127.0.0.1:${await freePort()}`;
    const healthAddress = `127.0.0.1:${await freePort()}`;
    const shared = { RUNLOG_NATS_URL: natsUrl, RUNLOG_STREAM: STREAM, RUNLOG_SUBJECT_PREFIX: PREFIX, RUNLOG_PARTITIONS: '1', RUNLOG_DATA_DIR: dataDir, RUNLOG_LOG_LEVEL: 'warn' };
    const services: ManagedProcess[] = [];
    const nc = await connect({ servers: natsUrl });
    const subjects = new Subjects(PREFIX, 1);
    const client = queryClient(queryAddress);
    const direct = await directReads(baselinePath, built.watermark);
    try {
      // The stream is new while the file's watermark is at the end of 10M records: purging up to
      // watermark + 1 moves the empty stream's sequence there, so the persister's consumer starts at
      // the stream's end, as after a real restart, and anything appended would get the next sequence.
      await ensureStream(nc, subjects, { ...loadConfig(STREAM_SPEC, {}), streamName: STREAM });
      await (await jetstreamManager(nc)).streams.purge(STREAM, { seq: built.watermark + 1 });
      const persister = startService('persister', { ...shared, RUNLOG_PARTITION: '0', RUNLOG_PERSISTER_HEALTH_ADDR: healthAddress });
      services.push(persister);
      await waitForHealthy(healthAddress, persister);
      const reader = new PersisterClient(nc, subjects, STREAM, 5000);
      const { result } = await reader.ask(0, { op: 'watermark' });
      if (result.watermark !== built.watermark) throw new Error(`the persister reports watermark ${result.watermark}, the file holds ${built.watermark}`);
      const query = startService('query', { ...shared, RUNLOG_QUERY_ADDR: queryAddress });
      services.push(query);
      await waitForHealthy(queryAddress, query);

      context.progress(`QueryLogs of ${queries} runs of ${PAGE} records in ${shape.runs * shape.logsPerRun}: through the services and straight from DuckDB, in turn`);
      const variants = {
        service: async (run: RunRef) => {
          const { records } = await queryLogs(client, { filter: { workflowId: run.workflowId, runId: run.runId }, pageSize: PAGE });
          return { count: records.length, runId: records[0]?.event?.runId };
        },
        // The persister's answer over NATS, as the query service gets it: what the service adds is the rest.
        persisterOverNats: async (run: RunRef) => {
          const answer = await reader.ask(0, { op: 'logs', filter: { workflowId: run.workflowId, runId: run.runId }, descending: false, limit: PAGE });
          return answer.bytes ? direct.answerOfPage(answer.bytes) : { count: 0, runId: undefined };
        },
        persisterSql: direct.persisterSql,
        persisterRead: direct.persisterRead,
        naiveSql: direct.naiveSql,
      };
      await timeInTurn(variants, warmUp);
      const loadBefore = round(loadavg()[0], 2);
      // The services' CPU per query wanders less than their latency on a shared machine.
      const cpuBefore = [cpuSeconds(persister.child.pid), cpuSeconds(query.child.pid)];
      const samples = await timeInTurn(variants, measured);
      const cpuMsPerQuery = {
        persister: round(((cpuSeconds(persister.child.pid) - cpuBefore[0]) * 1000) / queries, 1),
        query: round(((cpuSeconds(query.child.pid) - cpuBefore[1]) * 1000) / queries, 1),
      };
      // Other work on the machine (tests, other benches) shows here, and in the latencies.
      const machineLoad = { before: loadBefore, after: round(loadavg()[0], 2) };
      const plan = await direct.explain(measured[0]);

      const store = { records: shape.runs * shape.logsPerRun, runs: shape.runs, build_seconds: built.buildSeconds || built.cachedBuildSeconds, from_cache: built.buildSeconds === 0, queries, warm_up_queries: WARM_UP };
      const title = `QueryLogs: one run's ${PAGE} logs of ${store.records.toLocaleString('en-US')}`;
      return [
        ...latencyFigures('read.query_logs', title, samples.service, {
          target: { quantile: 'p50', bound: { atMost: 20 } },
          ratios: { p50: 'read.query_logs_sql_p50', p99: 'read.query_logs_sql_p99' },
          details: { persister_read_in_process_ms: latencySummary(samples.persisterRead), persister_over_nats_ms: latencySummary(samples.persisterOverNats), service_cpu_ms_per_query: cpuMsPerQuery, store, machine_load_average_1m: machineLoad },
        }),
        ...latencyFigures('read.query_logs_sql', "QueryLogs baseline: the persister's SQL straight on the file, no NATS/gRPC", samples.persisterSql, {
          details: { naive_sql_without_run_extents_ms: latencySummary(samples.naiveSql), explain_analyze: plan },
        }),
      ];
    } finally {
      direct.close();
      client.close();
      for (const service of services.reverse()) await service.stop();
      await nc.close();
    }
  },
};
