// The Python package (clients/python) against a live stack: its unittest modules run as child processes of Debian's python3 (or the package's venv).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startService, waitForHealthy, type ManagedProcess } from '../scripts/local-cluster.js';
import { startCluster, type Cluster } from './helpers/cluster.js';

const PACKAGE_DIR = fileURLToPath(new URL('../clients/python/', import.meta.url));
const SYSTEM_PYTHON = process.env.RUNLOG_PYTHON ?? '/usr/bin/python3';

/** What clients/python/tests/prepare.py found or set up (JSON on its stdout). */
interface Prepared {
  /** Stubs generated, grpcio, protobuf and dill importable by the system python. */
  ok: boolean;
  problem?: string;
  /** PYTHONPATH entries for the Grapheteria tests (its source tree), or why they cannot run. */
  grapheteria: { path?: string; skip?: string };
  /** The venv's python for the Runnable tests, or why they cannot run. */
  runnable: { python?: string; skip?: string };
}

let cluster: Cluster;
let query: ManagedProcess;
let queryAddress: string;
let prepared: Prepared;

function queryEnv(): Record<string, string> {
  return {
    RUNLOG_NATS_URL: cluster.natsUrl,
    RUNLOG_PARTITIONS: String(cluster.partitions),
    RUNLOG_LOG_LEVEL: 'info',
    RUNLOG_DRAIN_GRACE: '2s',
    RUNLOG_QUERY_ADDR: queryAddress,
  };
}

// The query service on a fixed address, so a restart (the subscription test) keeps it.
async function startQuery(): Promise<void> {
  const started = startService('query', queryEnv(), { echo: process.env.RUNLOG_TEST_ECHO === '1' });
  query = started;
  process.once('exit', () => started.child.kill('SIGKILL'));
  // Port 0 at first; a restart binds the port the first start got.
  queryAddress = `127.0.0.1:${await started.listeningPort()}`;
  await waitForHealthy(queryAddress, started);
}

before(async () => {
  const preparation = spawnSync(SYSTEM_PYTHON, ['tests/prepare.py'], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 600_000 });
  if (preparation.status !== 0) throw new Error(`clients/python/tests/prepare.py failed:\n${preparation.stdout}\n${preparation.stderr}`);
  prepared = JSON.parse(preparation.stdout) as Prepared;
  process.stderr.write(preparation.stderr);
  cluster = await startCluster();
  queryAddress = '127.0.0.1:0';
  await startQuery();
});

after(async () => {
  await query?.stop(5000);
  await cluster?.stop();
});

/** Requests the Python tests make through tests/live.py's control(): each answered "ok" once done. */
const CONTROLS: Record<string, () => Promise<void>> = {
  'stop-ingest': () => cluster.ingest.stop(5000),
  'start-ingest': () => cluster.startIngest(),
  'restart-query': async () => {
    await query.stop(5000);
    await startQuery();
  },
};

async function runPython(t: TestContext, python: string, module: string, extraPath: string[] = [], timeoutMs = 90_000): Promise<void> {
  const child = spawn(python, ['-m', 'unittest', '-v', module], {
    cwd: PACKAGE_DIR,
    env: {
      ...process.env,
      PYTHONPATH: [PACKAGE_DIR, ...extraPath].join(':'),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      RUNLOG_TEST_INGEST: cluster.ingestAddress,
      RUNLOG_TEST_QUERY: queryAddress,
      RUNLOG_TEST_CONTROL: '1',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const command = /^RUNLOG-CONTROL (\S+)$/.exec(line)?.[1];
    if (!command) {
      output += `${line}\n`;
      return;
    }
    const action = CONTROLS[command];
    void (action ? action() : Promise.reject(new Error(`unknown control ${command}`))).then(
      () => child.stdin.write('ok\n'),
      (error: Error) => child.stdin.write(`failed: ${error.message}\n`),
    );
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const summary = /^Ran \d+ tests? in .*$/m.exec(output)?.[0];
  if (summary) t.diagnostic(`${module}: ${summary}`);
  // Skipped Python tests are reported, not hidden.
  for (const skipped of output.matchAll(/^(.*) \.\.\. skipped (.*)$/gm)) t.diagnostic(`skipped in Python: ${skipped[1]}: ${skipped[2]}`);
  assert.equal(code, 0, `python3 -m unittest ${module} failed (exit ${code}):\n${output}\n${code === null ? 'killed after the time limit\n' : ''}${cluster.output()}`);
}

test('python: stubs are generated from proto/ and not stale', (t) => {
  assert.ok(prepared.ok, prepared.problem);
  return runPython(t, SYSTEM_PYTHON, 'tests.test_stubs');
});

test('python: every runlog.Client method against the live stack, the logger through an ingest outage', { timeout: 120_000 }, (t) => {
  assert.ok(prepared.ok, prepared.problem);
  return runPython(t, SYSTEM_PYTHON, 'tests.test_client');
});

test('python: Grapheteria runs on RunlogStorage as on its FileSystemStorage', { timeout: 120_000 }, (t) => {
  assert.ok(prepared.ok, prepared.problem);
  if (!prepared.grapheteria.path) return t.skip(`Grapheteria is not available: ${prepared.grapheteria.skip}`);
  return runPython(t, SYSTEM_PYTHON, 'tests.test_grapheteria', [prepared.grapheteria.path]);
});

test('python: a Runnable pipeline on the runlog run log store equals its file-system run log', { timeout: 180_000 }, (t) => {
  assert.ok(prepared.ok, prepared.problem);
  if (!prepared.runnable.python) return t.skip(`Runnable is not available: ${prepared.runnable.skip}`);
  return runPython(t, prepared.runnable.python, 'tests.test_runnable', [], 150_000);
});
