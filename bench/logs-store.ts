// A partition file of 10 million log records over 10,000 interleaved runs, written by the persister's own code, cached by schema hash.
//
// The file is what a persister would hold after a day of 10,000 runs: each run sends its 1,000
// records in messages of 50 while up to 500 other runs are sending too, so one run's rows lie
// spread over a few hundred thousand rows of the table (several row groups), interleaved with
// others. The first tenth (1,000 runs) goes in through PartitionStore.applyBatch in transactions of
// the persister's largest batch (20,000 events), so rows, run_extents, `applied` and row groups are
// exactly what the pull loop writes. That costs ~16 CPU-seconds per million events, so the other
// nine tenths are copies of it made by DuckDB: every table's rows again, in the same order, with
// stream sequences, run ids and times shifted past the previous tenth. A copy is a million rows,
// far more than a row group (122,880), so compression sees no more repetition than in real data.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Event__Output } from '../services/common/gen/runlog/v1/Event.js';
import { PartitionStore, type StoredMessage } from '../services/persister/write/partition-store.js';
import { round } from './harness.js';
import { logEvents } from './workload.js';

export interface StoreShape {
  runs: number;
  logsPerRun: number;
  workflows: number;
  /** Runs sending at the same time: how far apart one run's messages lie. */
  activeRuns: number;
  logsPerMessage: number;
  /** Events per applyBatch transaction: the persister's RUNLOG_BATCH_MAX_EVENTS default. */
  eventsPerTransaction: number;
  /** Agent time the records span. */
  spanSeconds: number;
  /** The runs are written as this many equal parts: the first by applyBatch, the others copied from it. */
  parts: number;
}

export const TEN_MILLION: StoreShape = {
  runs: 10_000,
  logsPerRun: 1_000,
  workflows: 100,
  activeRuns: 500,
  logsPerMessage: 50,
  eventsPerTransaction: 20_000,
  spanSeconds: 86_400,
  parts: 10,
};

// Bump when the generator below changes what it writes, so stale cache files are not used.
const GENERATOR_VERSION = 2;
const CACHE_DIR = fileURLToPath(new URL('./results/cache/', import.meta.url));
const SCHEMA_SQL = fileURLToPath(new URL('../services/persister/schema.sql', import.meta.url));
const START_MICROS = 1_750_000_000_000_000n;

export const workflowOfRun = (run: number, shape: StoreShape) => `bench-wf-${run % shape.workflows}`;
/**
 * Run ids start with 8 hex digits of a hash, as UUIDs do: DuckDB keeps min/max of a string column's
 * first 8 bytes per row group, and ids numbered in start order would let those skip row groups that
 * real run ids never let it skip. The number after the dash lets the copies renumber runs in SQL.
 */
export const runIdOf = (run: number) => `${createHash('md5').update(String(run)).digest('hex').slice(0, 8)}-${run}`;
const runIdSql = (run: string) => `substr(md5(CAST(${run} AS VARCHAR)), 1, 8) || '-' || CAST(${run} AS VARCHAR)`;

export interface BuiltStore {
  path: string;
  /** The highest stream sequence in the file (its watermark). */
  watermark: number;
  /** Seconds the build took now; 0 when the file came from the cache. */
  buildSeconds: number;
  /** Seconds the cached file took to build when it was made. */
  cachedBuildSeconds: number;
}

/** The cached file for this shape, built first when the schema, DuckDB version or generator changed. */
export async function tenMillionStore(shape: StoreShape, progress: (message: string) => void): Promise<BuiltStore> {
  if (shape.runs % shape.parts !== 0 || (shape.runs / shape.parts) % shape.workflows !== 0) {
    throw new Error('runs must split into equal parts, each a whole number of runs per workflow (copies keep a run in its workflow)');
  }
  const path = join(CACHE_DIR, `logs-${shape.runs * shape.logsPerRun}-${await cacheKey(shape)}.duckdb`);
  // Written after the file is complete: its presence marks a usable cache entry.
  const infoPath = `${path}.json`;
  if (existsSync(path) && existsSync(infoPath)) {
    const { watermark, buildSeconds } = JSON.parse(readFileSync(infoPath, 'utf8')) as { watermark: number; buildSeconds: number };
    progress(`using the cached store ${path} (built in ${buildSeconds} s)`);
    return { path, watermark, buildSeconds: 0, cachedBuildSeconds: buildSeconds };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  // Files of older schemas or generators are dead weight (hundreds of MB each).
  const prefix = `logs-${shape.runs * shape.logsPerRun}-`;
  for (const stale of readdirSync(CACHE_DIR)) if (stale.startsWith(prefix)) rmSync(join(CACHE_DIR, stale), { force: true });
  // Built under another name and renamed when complete: an interrupted build never looks cached.
  const partial = `${path}.partial`;
  progress(`building ${shape.runs * shape.logsPerRun} log records (${shape.runs} runs × ${shape.logsPerRun}) into ${path}`);
  const startedAt = performance.now();
  const store = await PartitionStore.open(partial);
  let partWatermark = 0;
  try {
    let batch: StoredMessage[] = [];
    let batchEvents = 0;
    for (const message of firstPartMessages(shape)) {
      batch.push(message);
      batchEvents += message.events.length;
      if (batchEvents < shape.eventsPerTransaction) continue;
      await store.applyBatch(batch);
      batch = [];
      batchEvents = 0;
    }
    if (batch.length > 0) await store.applyBatch(batch);
    partWatermark = store.watermark;
    progress(`  part 1 of ${shape.parts} through applyBatch: ${round((performance.now() - startedAt) / 1000, 1)} s`);
    const connection = await store.connect();
    try {
      await copyParts(connection, shape, partWatermark);
      // Folds the WAL into the file, so the cached file is complete on its own.
      await connection.run('CHECKPOINT');
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    store.close();
    rmSync(partial, { force: true });
    throw error;
  }
  store.close();
  const watermark = partWatermark * shape.parts;
  const buildSeconds = round((performance.now() - startedAt) / 1000, 1);
  renameSync(partial, path);
  writeFileSync(infoPath, JSON.stringify({ watermark, buildSeconds, shape }) + '\n');
  progress(`built in ${buildSeconds} s`);
  return { path, watermark, buildSeconds, cachedBuildSeconds: buildSeconds };
}

async function cacheKey(shape: StoreShape): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const version = String((await connection.runAndReadAll('SELECT library_version FROM pragma_version()')).getRows()[0][0]);
  connection.closeSync();
  instance.closeSync();
  return createHash('sha256').update(readFileSync(SCHEMA_SQL)).update(JSON.stringify({ shape, version, GENERATOR_VERSION })).digest('hex').slice(0, 16);
}

/**
 * Appends parts 2…n: each table's rows of part 1 again, in the same order, with sequences, run ids
 * and times moved past the part before. Columns are found by name, so the copy follows schema.sql.
 */
async function copyParts(connection: DuckDBConnection, shape: StoreShape, partWatermark: number): Promise<void> {
  const runsPerPart = shape.runs / shape.parts;
  const microsPerPart = Math.floor((shape.spanSeconds * 1e6) / shape.parts);
  const rows = (await connection.runAndReadAll(
    "SELECT c.table_name, list(c.column_name) FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, schema_name, table_name) WHERE t.schema_name = 'main' GROUP BY ALL",
  )).getRows();
  const tables = rows.map(([table, names]) => ({ table: String(table), columns: new Set((names as { items: unknown[] }).items.map(String)) }));
  for (let part = 1; part < shape.parts; part++) {
    const seqShift = partWatermark * part;
    const microsShift = microsPerPart * part;
    const shifted: Record<string, string> = {
      seq: `seq + ${seqShift}`,
      first_seq: `first_seq + ${seqShift}`,
      last_seq: `last_seq + ${seqShift}`,
      run_id: runIdSql(`(CAST(split_part(run_id, '-', 2) AS BIGINT) + ${runsPerPart * part})`),
      time: `time + to_microseconds(${microsShift})`,
      ingest_time: `ingest_time + to_microseconds(${microsShift})`,
      applied_at: `applied_at + to_microseconds(${microsShift})`,
    };
    await connection.run('BEGIN TRANSACTION');
    for (const { table, columns } of tables) {
      // Only part 1's rows are copied; every table says where a row lies in the stream.
      const position = columns.has('seq') ? 'seq' : columns.has('last_seq') ? 'last_seq' : undefined;
      if (!position) throw new Error(`table ${table} has no stream position column; teach copyParts how to copy it`);
      const replaced = [...columns].filter((column) => column in shifted).map((column) => `${shifted[column]} AS ${column}`);
      const order = columns.has('idx') ? 'seq, idx' : position;
      await connection.run(`INSERT INTO ${table} SELECT * REPLACE (${replaced.join(', ')}) FROM ${table} WHERE ${position} <= ${partWatermark} ORDER BY ${order}`);
    }
    await connection.run('COMMIT');
  }
}

/** Deterministic choices (a 32-bit LCG), so every build writes the same file. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const timestamp = (micros: bigint) => ({ seconds: String(micros / 1_000_000n), nanos: Number(micros % 1_000_000n) * 1000 });

/**
 * The first part's stream messages in order: each is one run's next 50 records (its first also
 * starts the run, its last completes it), from a run picked at random among the active ones.
 */
function* firstPartMessages(shape: StoreShape): Generator<StoredMessage> {
  const next = lcg(42);
  const runs = shape.runs / shape.parts;
  const messagesPerRun = Math.ceil(shape.logsPerRun / shape.logsPerMessage);
  const microsPerMessage = BigInt(Math.floor((shape.spanSeconds * 1e6) / shape.parts / (runs * messagesPerRun)));
  const active: { run: number; sent: number }[] = [];
  let started = 0;
  while (active.length < shape.activeRuns && started < runs) active.push({ run: started++, sent: 0 });
  for (let seq = 1; active.length > 0; seq++) {
    const slot = Math.floor(next() * active.length);
    const state = active[slot];
    const workflowId = workflowOfRun(state.run, shape);
    const runId = runIdOf(state.run);
    const at = START_MICROS + BigInt(seq) * microsPerMessage;
    const events: Event__Output[] = [];
    if (state.sent === 0) {
      events.push({
        workflowId, runId, kind: 'runStarted',
        runStarted: { workflowName: `bench workflow ${state.run % shape.workflows}`, tags: { env: 'bench' }, parameters: null, config: null, dagHash: '', nodeIds: [], parentRunId: '', forkStep: '0', time: timestamp(at) },
      });
      events.push({ workflowId, runId, kind: 'runStatus', runStatus: { status: 'STATUS_RUNNING', time: timestamp(at), reason: '' } });
    }
    const count = Math.min(shape.logsPerMessage, shape.logsPerRun - state.sent);
    // The workload's records (~100-byte messages, levels, tasks), re-labelled to this run and time.
    for (const [i, event] of logEvents(workflowId, count, seq).entries()) {
      event.runId = runId;
      event.log!.time = timestamp(at - BigInt((count - i) * 1000));
      events.push({ ...event, kind: 'log' } as Event__Output);
    }
    state.sent += count;
    if (state.sent >= shape.logsPerRun) {
      events.push({ workflowId, runId, kind: 'runStatus', runStatus: { status: 'STATUS_COMPLETED', time: timestamp(at), reason: '' } });
      if (started < runs) active[slot] = { run: started++, sent: 0 };
      else active.splice(slot, 1);
    }
    yield { seq, ingestMicros: at + 5_000n, events };
  }
}
