// `runlog-admin repartition`: rewrites the partition files of P partitions as files of another count, moving whole workflows, offline.
//
// Offline: ingest and the persisters must be stopped and every event of the stream stored (the
// tool checks both: DuckDB refuses a file a persister holds open, and each partition's last stream
// sequence must be at or below its file's watermark). Every row keeps its stream position (seq,
// idx), so the store order is unchanged; each new file's watermark is the highest of the old ones,
// so the new persisters read on from the first message published after the change. Subscribe
// cursors name a position per partition: those issued before the change are not carried over.
// The old files are only read: keep them until the new layout runs.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SCHEMA_SQL } from '../services/persister/schema.js';
import { partitionOf, Subjects } from '../services/common/subjects.js';

/** The tables that hold a workflow's rows (every one but `applied`), in schema.sql. */
const WORKFLOW_TABLES = ['runs', 'logs', 'run_status', 'task_status', 'steps', 'run_extents'] as const;

export interface RepartitionOptions {
  /** Folder of partition-<p>.duckdb for p < fromPartitions. */
  fromDir: string;
  fromPartitions: number;
  /** An empty or new folder for the files of the new count. */
  toDir: string;
  toPartitions: number;
  /** NATS, to check that the stream holds nothing unstored; with the stream's name and subject prefix. */
  natsUrl: string;
  streamName?: string;
  subjectPrefix?: string;
}

export interface RepartitionResult {
  watermark: number;
  /** Rows of each table per new partition. */
  rows: Record<string, number>[];
  workflows: number[];
}

const fileOf = (dir: string, partition: number) => join(dir, `partition-${partition}.duckdb`);
const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRows()[0][0] ?? 0);
}

export async function repartition(options: RepartitionOptions): Promise<RepartitionResult> {
  const { fromDir, fromPartitions, toDir, toPartitions } = options;
  for (let p = 0; p < fromPartitions; p++) if (!existsSync(fileOf(fromDir, p))) throw new Error(`${fileOf(fromDir, p)} does not exist`);
  for (let q = 0; q < toPartitions; q++) if (existsSync(fileOf(toDir, q))) throw new Error(`${fileOf(toDir, q)} exists: write the new files to a folder of their own`);
  mkdirSync(toDir, { recursive: true });

  // One in-memory DuckDB with every old file attached read-only; a file a persister holds open cannot be attached.
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const watermarks: number[] = [];
    for (let p = 0; p < fromPartitions; p++) {
      await connection.run(`ATTACH ${quote(fileOf(fromDir, p))} AS old${p} (READ_ONLY)`);
      watermarks.push(await scalar(connection, `SELECT coalesce(max(seq), 0) FROM old${p}.applied`));
    }
    await assertStreamStored(options, watermarks);
    const watermark = Math.max(0, ...watermarks);

    // Which workflow goes where: the hash is the services' own (subjects.ts), computed here.
    await connection.run('CREATE TEMP TABLE placement (source UINTEGER, workflow_id VARCHAR, target UINTEGER)');
    for (let p = 0; p < fromPartitions; p++) {
      const union = WORKFLOW_TABLES.map((table) => `SELECT DISTINCT workflow_id FROM old${p}.${table}`).join(' UNION ');
      const ids = (await connection.runAndReadAll(union)).getRows().map((row) => String(row[0]));
      for (let i = 0; i < ids.length; i += 1000) {
        const values = ids.slice(i, i + 1000).map((id) => `(${p}, ${quote(id)}, ${partitionOf(id, toPartitions)})`);
        await connection.run(`INSERT INTO placement VALUES ${values.join(', ')}`);
      }
    }

    const rows: Record<string, number>[] = [];
    const workflows: number[] = [];
    for (let q = 0; q < toPartitions; q++) {
      await connection.run(`ATTACH ${quote(fileOf(toDir, q))} AS new${q}`);
      await connection.run(`USE new${q}`);
      await connection.run(SCHEMA_SQL);
      await connection.run('USE memory');
      await connection.run('BEGIN TRANSACTION');
      const counts: Record<string, number> = {};
      for (const table of WORKFLOW_TABLES) {
        const order = table === 'run_extents' ? 'first_seq' : 'seq, idx';
        const sources = Array.from({ length: fromPartitions }, (_, p) =>
          `SELECT t.* FROM old${p}.${table} t JOIN placement m ON m.source = ${p} AND m.workflow_id = t.workflow_id WHERE m.target = ${q}`,
        ).join(' UNION ALL ');
        await connection.run(`INSERT INTO new${q}.${table} SELECT * FROM (${sources}) ORDER BY ${order}`);
        counts[table] = await scalar(connection, `SELECT count(*) FROM new${q}.${table}`);
      }
      // The watermark: the new persister reads the stream on from here.
      await connection.run(`INSERT INTO new${q}.applied VALUES (${watermark}, 0, now())`);
      await connection.run('COMMIT');
      await connection.run(`DETACH new${q}`);
      rows.push(counts);
      workflows.push(await scalar(connection, `SELECT count(DISTINCT workflow_id) FROM placement WHERE target = ${q}`));
    }
    return { watermark, rows, workflows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every message of each old partition's subjects is at or below that partition's watermark. */
async function assertStreamStored(options: RepartitionOptions, watermarks: number[]): Promise<void> {
  const nc = await connect({ servers: options.natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = options.streamName ?? 'RUNLOG';
    const subjects = new Subjects(options.subjectPrefix ?? 'runlog', options.fromPartitions);
    for (let p = 0; p < options.fromPartitions; p++) {
      const last = await jsm.streams.getMessage(stream, { last_by_subj: subjects.partitionEvents(p) }).catch(() => null);
      if (last && last.seq > watermarks[p]) {
        throw new Error(`partition ${p} is stored up to sequence ${watermarks[p]}, but the stream holds its events up to ${last.seq}: stop ingest, let the persisters store everything, stop them, and run this again`);
      }
    }
  } finally {
    await nc.close();
  }
}

const USAGE = `usage: runlog-admin repartition --from-dir DIR --from P --to-dir DIR --to N --nats URL [--stream RUNLOG] [--prefix runlog]
  Rewrites DIR/partition-<p>.duckdb (p < P) as N files in the new folder, whole workflows moved to
  partitionOf(workflow_id, N). Ingest and the persisters must be stopped, and everything stored.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'repartition') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(64);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'from-dir': { type: 'string' },
      from: { type: 'string' },
      'to-dir': { type: 'string' },
      to: { type: 'string' },
      nats: { type: 'string' },
      stream: { type: 'string' },
      prefix: { type: 'string' },
    },
  });
  const fromPartitions = Number(values.from);
  const toPartitions = Number(values.to);
  if (!values['from-dir'] || !values['to-dir'] || !values.nats || !(fromPartitions >= 1) || !(toPartitions >= 1)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(64);
  }
  const result = await repartition({
    fromDir: values['from-dir'],
    fromPartitions,
    toDir: values['to-dir'],
    toPartitions,
    natsUrl: values.nats,
    streamName: values.stream,
    subjectPrefix: values.prefix,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`runlog-admin: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
