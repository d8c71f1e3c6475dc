// The partition's DuckDB file: schema at open, then one transaction per batch with its watermark.
import { DuckDBDataChunk, DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { createEventBatchCodec } from '../../common/proto.js';
import { BatchRows, LAYOUTS, ROW_TABLES, type BatchDecoders, type StoredMessage, type WireMessage } from './batch-rows.js';
import { CHUNK_ROWS } from './columns.js';
import { SCHEMA_SQL, type Row } from '../schema.js';
import { LogColumns } from './log-columns.js';
import { RunIds } from './run-ids.js';
import { WireLogRows } from './wire-log-rows.js';
import { RunExtents } from '../index/run-extents.js';
import { RunFilter } from '../index/run-filter.js';
import { StepIndex, type StepPosition } from '../index/step-index.js';

export type { StoredMessage, WireMessage } from './batch-rows.js';

/** A batch decoded into rows; `highest` is its last stream sequence (0 when none was above the watermark). */
export interface PreparedBatch {
  rows: BatchRows;
  highest: number;
}

const DEFAULT_STEP_INDEX_ROWS = 1_000_000;
const DEFAULT_RUN_EXTENTS_RUNS = 50_000;
// Up to this many rows, a table's rows go in as one INSERT, which DuckDB runs off the event loop.
// An appender's flush runs on it and takes milliseconds even for one row: reads would wait for it
// on every small commit (a fork's two events).
const INSERT_UP_TO_ROWS = 64;

const STEPS = LAYOUTS.steps.index;
/** A `steps` row's position and step. */
const stepPosition = (row: Row): StepPosition => ({
  seq: Number(row[STEPS.seq]),
  idx: row[STEPS.idx] as number,
  workflowId: row[STEPS.workflow_id] as string,
  runId: row[STEPS.run_id] as string,
  step: Number(row[STEPS.step]),
});

export class PartitionStore {
  private constructor(
    readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private watermarkSeq: number,
    private readonly decoders: BatchDecoders,
    /** Where each run's step snapshots lie, for time-travel reads: recorded with every commit. */
    readonly stepIndex: StepIndex,
    /** Which runs the partition may hold: added to with every commit. */
    readonly runFilter: RunFilter,
    /** Where recent runs' events lie: recorded with every commit. */
    readonly runExtents: RunExtents,
    // Column buffers of written batches, for the next ones to fill: one set is being written while another is filled.
    private readonly spareLogColumns: LogColumns[] = [],
  ) {}

  /**
   * `threads`: DuckDB's worker threads for the whole file, writes and reads (unset: one per core).
   * `stepIndexRows`: step rows the step index holds at most.
   * `runExtentsRuns`: runs whose extents are held in memory at most.
   */
  static async open(path: string, options: { threads?: number; stepIndexRows?: number; runExtentsRuns?: number } = {}): Promise<PartitionStore> {
    const instance = await DuckDBInstance.create(path, options.threads === undefined ? {} : { threads: String(options.threads) });
    const writer = await instance.connect();
    await writer.run(SCHEMA_SQL);
    const reader = await writer.runAndReadAll('SELECT coalesce(max(seq), 0) FROM applied');
    const watermark = Number(reader.getRows()[0][0]);
    const runFilter = new RunFilter();
    const runExtents = new RunExtents(options.runExtentsRuns ?? DEFAULT_RUN_EXTENTS_RUNS);
    // In the background: a large store takes a while, and until then every run "may" exist and
    // extents are read from the store. A failed load leaves it so: slower, never wrong.
    const loader = await instance.connect();
    void (async () => {
      await runFilter.load(loader).catch(() => undefined);
      await runExtents.load(loader).catch(() => undefined);
    })().finally(() => loader.closeSync());
    return new PartitionStore(instance, writer, watermark, batchDecoders(), new StepIndex(options.stepIndexRows ?? DEFAULT_STEP_INDEX_ROWS, watermark), runFilter, runExtents);
  }

  /** Highest stream sequence stored; every message at or below it is in the tables. */
  get watermark(): number {
    return this.watermarkSeq;
  }

  /** A connection for readers; DuckDB gives each its own snapshot. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /**
   * Stores the messages above the watermark, all or nothing, and raises the watermark in the
   * same transaction. Returns how many events were written (0 when all were already stored).
   * A message whose bytes cannot be decoded is stored as no events, and reported.
   */
  applyBatch(messages: readonly (StoredMessage | WireMessage)[], onUndecodable: (seq: number, error: unknown) => void = () => undefined): Promise<number> {
    return this.write(this.prepare(messages, onUndecodable));
  }

  /**
   * The batch's rows, ready to write: decoding is apart from writing so that the next batch can be
   * decoded while the last one commits. Messages at or below the watermark are left out; batches
   * come in stream order, so one decoded before the last commit ended leaves out the same ones.
   */
  prepare(messages: readonly (StoredMessage | WireMessage)[], onUndecodable: (seq: number, error: unknown) => void): PreparedBatch {
    const fresh = messages.filter((message) => message.seq > this.watermarkSeq);
    const rows = new BatchRows(this.decoders, this.spareLogColumns.pop() ?? new LogColumns());
    for (const message of fresh) rows.add(message, onUndecodable);
    return { rows, highest: fresh.length === 0 ? 0 : fresh[fresh.length - 1].seq };
  }

  /** Writes a prepared batch in one transaction with its watermark; again after a failure, until it succeeds. */
  async write({ rows, highest }: PreparedBatch): Promise<number> {
    if (highest <= this.watermarkSeq) {
      this.spareLogColumns.push(rows.logs);
      return 0;
    }
    await this.writer.run('BEGIN TRANSACTION');
    try {
      await rows.logs.append(this.writer);
      for (const table of ROW_TABLES) {
        const tableRows = rows.rowsOf(table);
        if (tableRows.length > 0) await appendRows(this.writer, table, tableRows);
      }
      const applied = await prepared(this.writer, 'applied: the watermark row', () => 'INSERT INTO applied VALUES ($1, $2, now())');
      applied.bind([BigInt(highest), rows.events]);
      await applied.run();
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.watermarkSeq = highest;
    // In the same turn as the watermark: a read never sees one without the other.
    this.stepIndex.record(rows.rowsOf('steps').map(stepPosition), highest);
    const extents = rows.extents();
    this.runExtents.record(extents);
    for (const { ids } of extents) this.runFilter.add(ids.workflowId, ids.runId);
    this.spareLogColumns.push(rows.logs);
    return rows.events;
  }

  close(): void {
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

function batchDecoders(): BatchDecoders {
  const runIds = new RunIds();
  return { codec: createEventBatchCodec(), wireLogs: new WireLogRows(runIds), runIds };
}

/** Writes rows (values in the table's column order) on the connection, inside its current transaction. */
async function appendRows(connection: DuckDBConnection, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length <= INSERT_UP_TO_ROWS) return insertRows(connection, table, rows);
  const appender = await connection.createAppender(table);
  try {
    const types = columnTypesOf(appender);
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) appendChunk(appender, types, rows.slice(start, start + CHUNK_ROWS));
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

const columnTypesOf = (appender: DuckDBAppender): DuckDBType[] => Array.from({ length: appender.columnCount }, (_, column) => appender.columnType(column));

/** Column types per table, as its appender reports them: the same conversions for either way in. */
const tableTypes = new Map<string, DuckDBType[]>();
/** The writer's statements, each prepared once (parsing and planning cost more than running). */
const preparedStatements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/** The statement known by `key`, prepared from `sql()` the first time it is asked for. */
async function prepared(connection: DuckDBConnection, key: string, sql: () => string): Promise<DuckDBPreparedStatement> {
  const statements = preparedStatements.get(connection) ?? new Map<string, DuckDBPreparedStatement>();
  preparedStatements.set(connection, statements);
  let statement = statements.get(key);
  if (!statement) statements.set(key, (statement = await connection.prepare(sql())));
  return statement;
}

/** One INSERT of the rows; a statement for each table and row count up to INSERT_UP_TO_ROWS. */
async function insertRows(connection: DuckDBConnection, table: string, rows: readonly Row[]): Promise<void> {
  let types = tableTypes.get(table);
  if (!types) {
    const appender = await connection.createAppender(table);
    types = columnTypesOf(appender);
    appender.closeSync();
    tableTypes.set(table, types);
  }
  const columns = types.length;
  const tuple = (r: number) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`;
  const statement = await prepared(connection, `${table}/${rows.length}`, () => `INSERT INTO ${table} VALUES ${rows.map((_, r) => tuple(r)).join(', ')}`);
  statement.bind(rows.flatMap((row) => row.slice(0, columns)), rows.flatMap(() => types));
  await statement.run();
}

function appendChunk(appender: DuckDBAppender, types: DuckDBType[], rows: readonly Row[]): void {
  const columns: DuckDBValue[][] = types.map(() => new Array<DuckDBValue>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < types.length; c++) columns[c][r] = row[c];
  }
  const chunk = DuckDBDataChunk.create(types, rows.length);
  chunk.setColumns(columns);
  appender.appendDataChunk(chunk);
}
