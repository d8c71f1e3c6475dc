// Every `runlog` command as a child process against a live stack: tables, --json, errors, help, a live tail, and a real pseudo-terminal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { RunlogClient } from '../clients/ts/src/index.js';
import { startSdkStack, type SdkStack } from './helpers/sdk-stack.js';
import { jsonLines, RUNLOG_BIN, runCli } from './helpers/cli.js';
import { waitUntil } from './helpers/wait.js';

let stack: SdkStack;
let client: RunlogClient;
const scratch = mkdtempSync(join(tmpdir(), 'runlog-cli-test-'));
const WF = 'cli.etl';
const t0 = new Date('2026-03-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const cli = (...args: string[]) => runCli(args, { ingest: stack.ingestAddress, query: stack.queryAddress });

before(async () => {
  stack = await startSdkStack();
  client = new RunlogClient({ ingestAddress: stack.ingestAddress, queryAddress: stack.queryAddress });
  const base = { workflowId: WF, runId: 'r-1' };
  await client.append({
    events: [
      { ...base, runStarted: { workflowName: 'ETL', tags: { team: 'data' }, parameters: { retries: 3, source: 's3' }, nodeIds: ['extract', 'load', 'report'], time: t0 } },
      { ...base, runStatus: { status: 'STATUS_RUNNING', time: at(1) } },
      { ...base, taskStatus: { taskName: 'load', attempt: 1, status: 'STATUS_FAILED', reason: 'timeout', time: at(2) } },
      { ...base, taskStatus: { taskName: 'load', attempt: 2, status: 'STATUS_COMPLETED', time: at(3) } },
      { ...base, log: { level: 'LOG_LEVEL_INFO', message: 'extracting 10 files', taskName: 'extract', time: at(1) } },
      { ...base, log: { level: 'LOG_LEVEL_WARN', message: 'slow disk', taskName: 'load', time: at(2) } },
      { ...base, log: { level: 'LOG_LEVEL_ERROR', message: 'timeout contacting db', taskName: 'load', attributes: { host: 'db-1' }, time: at(2) } },
      { ...base, log: { level: 'LOG_LEVEL_INFO', message: 'loaded', taskName: 'load', time: at(3) } },
      { ...base, log: { level: 'LOG_LEVEL_INFO', message: 'report sent', taskName: 'report', time: at(4) } },
      ...[0, 1, 2, 3].map((step) => ({ ...base, step: { step, nodeId: ['', 'extract', 'load', 'report'][step], stateJson: JSON.stringify({ count: step, phase: `p${step}`, fixed: true }), processedNodeIds: ['extract', 'load', 'report'].slice(0, step), time: at(step + 1) } })),
      { ...base, runStatus: { status: 'STATUS_COMPLETED', time: at(5) } },
      { workflowId: WF, runId: 'r-2', runStarted: { workflowName: 'ETL', time: at(10) } },
      { workflowId: WF, runId: 'r-2', runStatus: { status: 'STATUS_FAILED', reason: 'boom', time: at(11) } },
    ],
  });
  await waitUntil(() => client.getRun(WF, 'r-2'), (run) => run.summary!.status === 'STATUS_FAILED', { what: 'the seeded runs' });
  await waitUntil(() => client.getRun(WF, 'r-1'), (run) => run.summary!.logCount === 5, { what: 'the seeded logs' });
});
after(async () => {
  client?.close();
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('read commands', () => {
  test('workflows and runs: a table, and --json', async () => {
    const table = await cli('workflows');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /WORKFLOW.*RUNS/);
    assert.match(table.stdout, /cli\.etl.*ETL.*2/);
    const [workflow] = jsonLines<{ workflowId: string; runCount: number }>((await cli('workflows', '--json')).stdout);
    assert.deepEqual([workflow.workflowId, workflow.runCount], [WF, 2]);

    const runs = await cli('runs', '-w', WF);
    assert.match(runs.stdout, /r-1 .*COMPLETED/);
    assert.match(runs.stdout, /r-2 .*FAILED/);
    const failed = jsonLines<{ runId: string; status: string }>((await cli('runs', '-w', WF, '--status', 'failed', '--json')).stdout);
    assert.deepEqual(failed.map((run) => [run.runId, run.status]), [['r-2', 'STATUS_FAILED']]);
    const tagged = jsonLines<{ runId: string }>((await cli('runs', '--tag', 'team=data', '--since', '2026-03-01T09:00:00Z', '--json')).stdout);
    assert.deepEqual(tagged.map((run) => run.runId), ['r-1']);
  });

  test('show: status timeline, tasks with attempts, steps, parameters, lineage', async () => {
    const shown = await cli('show', WF, 'r-1');
    assert.equal(shown.code, 0, shown.stderr);
    for (const expected of ['cli.etl/r-1  COMPLETED  ETL', 'Status timeline', 'RUNNING', 'Tasks', '#1 FAILED → #2 COMPLETED', 'Steps', 'report', '"retries": 3', 'Lineage']) {
      assert.ok(shown.stdout.includes(expected), `missing '${expected}' in:\n${shown.stdout}`);
    }
    const [json] = jsonLines<{ run: { summary: { runId: string }; tasks: { attempt: number }[] }; steps: unknown[] }>((await cli('show', WF, 'r-1', '--json')).stdout);
    assert.equal(json.run.summary.runId, 'r-1');
    assert.equal(json.run.tasks[0].attempt, 2);
    assert.equal(json.steps.length, 4);
  });

  test('logs: filters, text, levels, paging, --json', async () => {
    const all = await cli('logs', '-w', WF, '-r', 'r-1', '--page-size', '2');
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(
      all.stdout.trim().split('\n').map((line) => line.split(' ').slice(2).join(' ')),
      ['INFO  cli.etl/r-1 extract extracting 10 files', 'WARN  cli.etl/r-1 load slow disk', 'ERROR cli.etl/r-1 load timeout contacting db host=db-1', 'INFO  cli.etl/r-1 load loaded', 'INFO  cli.etl/r-1 report report sent'],
    );
    const found = jsonLines<{ event: { log: { message: string; attributes: Record<string, string> } } }>((await cli('logs', '-w', WF, '--contains', 'timeout', '--json')).stdout);
    assert.deepEqual(found.map((record) => record.event.log.attributes), [{ host: 'db-1' }]);
    const warnings = jsonLines<{ event: { log: { message: string } } }>((await cli('logs', '-w', WF, '--level', 'warn', '--desc', '--json')).stdout);
    assert.deepEqual(warnings.map((record) => record.event.log.message), ['timeout contacting db', 'slow disk']);
    const limited = await cli('logs', '-w', WF, '--limit', '2', '--page-size', '1');
    assert.equal(limited.stdout.trim().split('\n').length, 2);
  });

  test('errors are one line on stderr with a non-zero exit; --help on every command shows an example', async () => {
    const missing = await cli('show', WF, 'no-such-run');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^runlog: NOT_FOUND: .+\n$/);
    const usage = await cli('runs', '--status', 'bogus');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /not a status: 'bogus'/);
    const unknown = await cli('state', 'no-such-run');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run 'no-such-run' found/);
    const commands = ['workflows', 'runs', 'show', 'logs', 'tail', 'state', 'resume', 'fork', 'lineage', 'diff', 'export', 'import grapheteria', 'import runnable'];
    const helps = await Promise.all(commands.map((command) => runCli([...command.split(' '), '--help'])));
    helps.forEach((help, i) => {
      assert.equal(help.code, 0, commands[i]);
      assert.match(help.stdout, /Usage: runlog/, commands[i]);
      assert.match(help.stdout, /Examples?:\n {2}runlog /, commands[i]);
    });
  });
});

describe('time travel and diff', () => {
  test('state, resume (refused: missing nodes), fork with a patch and a parameter, lineage, diff of the fork against its parent', async () => {
    const [state] = jsonLines<{ step: number; state: { count: number } }>((await cli('state', 'r-1', '--step', '1', '--json')).stdout);
    assert.deepEqual([state.step, state.state.count], [1, 1]);
    const latest = await cli('state', 'r-1', '-w', WF);
    assert.match(latest.stdout, /step 3.*node report/);

    const refused = await cli('resume', 'r-1', '-w', WF, '--from', '2', '--nodes', 'extract');
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'runlog: cannot resume: 1 node(s) missing from the definition: load\n');
    const resumed = jsonLines<{ nextStep: number }>((await cli('resume', 'r-1', '-w', WF, '--nodes', 'extract,load,report', '--json')).stdout);
    assert.equal(resumed[0].nextStep, 4);

    const patch = join(scratch, 'patch.json');
    writeFileSync(patch, JSON.stringify({ count: 100, phase: null }));
    const forked = await cli('fork', 'r-1', '-w', WF, '--at', '1', '--patch', patch, '--param', 'retries=5', '--id', 'r-1-fork', '--json');
    assert.equal(forked.code, 0, forked.stderr);
    const [fork] = jsonLines<{ run: { runId: string }; state: { state: Record<string, unknown> } }>(forked.stdout);
    assert.equal(fork.run.runId, 'r-1-fork');
    assert.deepEqual(fork.state.state, { count: 100, fixed: true });

    await waitUntil(() => client.getLineage({ workflowId: WF, runId: 'r-1' }), (lineage) => lineage.run!.forks.length === 1, { what: 'the fork' });
    const lineage = await cli('lineage', 'r-1', '-w', WF);
    assert.match(lineage.stdout, /^r-1 COMPLETED\n {2}└─ r-1-fork PENDING \(fork of r-1 at step 1\)\n$/);

    const diff = await cli('diff', 'r-1', 'r-1-fork', '-w', WF, '--json');
    assert.equal(diff.code, 0, diff.stderr);
    const [result] = jsonLines<{ firstDifferingStep: number; commonSteps: number; steps: { step: number; changes: { path: string }[] }[]; parameters: { path: string; a: unknown; b: unknown }[]; status: unknown }>(diff.stdout);
    assert.equal(result.firstDifferingStep, 1);
    assert.equal(result.commonSteps, 1);
    assert.deepEqual(result.steps[0].changes.map((change) => change.path), ['count', 'phase']);
    assert.deepEqual(result.steps.map((step) => step.step), [1, 2, 3]);
    assert.deepEqual(result.parameters, [{ path: 'retries', a: 3, b: 5 }]);
    assert.deepEqual(result.status, { a: 'STATUS_COMPLETED', b: 'STATUS_PENDING' });
    const text = await cli('diff', 'r-1', 'r-1-fork', '-w', WF);
    assert.match(text.stdout, /first differing step: 1/);
    assert.match(text.stdout, /count: 1 → 100/);
    assert.match(text.stdout, /retries: 3 → 5/);
  });
});

describe('export', () => {
  test('JSON lines to stdout, and Parquet written by DuckDB', async () => {
    const jsonl = await cli('export', 'r-1', '-w', WF);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const rows = jsonLines<{ kind: string; message: string | null }>(jsonl.stdout);
    const kinds = (list: { kind: string }[]) => list.reduce<Record<string, number>>((count, row) => ({ ...count, [row.kind]: (count[row.kind] ?? 0) + 1 }), {});
    assert.deepEqual(kinds(rows), { run_started: 1, run_status: 2, task_status: 2, step: 4, log: 5 });

    const file = join(scratch, 'etl.parquet');
    const parquet = await cli('export', '-w', WF, '--since', '2026-03-01T00:00:00Z', '-o', file);
    assert.equal(parquet.code, 0, parquet.stderr);
    assert.match(parquet.stderr, /exported \d+ rows of 3 run\(s\)/);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const read = await connection.runAndReadAll(`SELECT run_id, kind, count(*)::INTEGER AS n, min(typeof(time)) AS t FROM read_parquet('${file}') GROUP BY ALL ORDER BY ALL`);
    const result = read.getRowObjects().filter((row) => row.run_id === 'r-1');
    connection.closeSync();
    instance.closeSync();
    assert.deepEqual(
      result.map((row) => [row.kind, row.n]),
      [['log', 5], ['run_started', 1], ['run_status', 2], ['step', 4], ['task_status', 2]],
    );
    assert.equal(result[0].t, 'TIMESTAMP WITH TIME ZONE');
  });
});

describe('tail', () => {
  test('shows a new event while it follows; --from-beginning with a limit ends by itself', async () => {
    const child = spawn(process.execPath, [RUNLOG_BIN, '--query', stack.queryAddress, 'tail', '-w', 'cli.tail', '--json'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // The subscription starts with events after it opened: keep writing until one is shown.
      let n = 0;
      await waitUntil(
        async () => {
          await client.append({ events: [{ workflowId: 'cli.tail', runId: 'r-1', log: { level: 'LOG_LEVEL_INFO', message: `hello ${n++}` } }] });
          return stdout;
        },
        (text) => text.includes('"hello '),
        { what: 'tail to show an event', intervalMs: 100, timeoutMs: 20_000 },
      );
      const [first] = jsonLines<{ cursor: string; event: { log: { message: string } } }>(stdout);
      assert.match(first.event.log.message, /^hello \d+$/);
      assert.ok(first.cursor);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);

    const limited = await cli('tail', '-w', WF, '-r', 'r-1', '--from-beginning', '-n', '3', '--kind', 'run-status,step');
    assert.equal(limited.code, 0, limited.stderr);
    const lines = limited.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /RUN {3}cli\.etl\/r-1 RUNNING/);
    assert.match(lines[1], /STEP {2}cli\.etl\/r-1 #0/);
  });
});

describe('tail across a restart', () => {
  test('the query service restarted while tail follows: every event once, in order', async () => {
    const child = spawn(process.execPath, [RUNLOG_BIN, '--query', stack.queryAddress, 'tail', '-w', 'cli.restart', '--from-beginning', '--json'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const messages = () => jsonLines<{ event: { log: { message: string } } }>(stdout).map((line) => line.event.log.message);
    const write = (from: number, to: number) =>
      client.append({ events: Array.from({ length: to - from }, (_, i) => ({ workflowId: 'cli.restart', runId: 'r-1', log: { level: 'LOG_LEVEL_INFO' as const, message: `e ${from + i}` } })) });
    try {
      await write(0, 50);
      await waitUntil(() => messages().length, (n) => n >= 50, { what: 'the first events', timeoutMs: 20_000 });
      await stack.restartQuery();
      await write(50, 100);
      await waitUntil(() => messages().length, (n) => n >= 100, { what: 'the events after the restart', timeoutMs: 30_000 });
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.deepEqual(messages(), Array.from({ length: 100 }, (_, i) => `e ${i}`));
    assert.match(stderr, /reconnecting \(UNAVAILABLE/);
  });
});

describe('in a pseudo-terminal', () => {
  test('colours on a terminal, none with NO_COLOR; the export shows a progress bar', () => {
    // script(1) runs the command on a real pty, as a person's terminal does.
    const inPty = (command: string, env: Record<string, string> = {}) => {
      const { NO_COLOR: _drop, FORCE_COLOR: _force, ...rest } = process.env;
      const result = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...rest, TERM: 'xterm-256color', ...env }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `${command}\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    const runlog = `${JSON.stringify(process.execPath)} ${JSON.stringify(RUNLOG_BIN)} --query ${stack.queryAddress}`;
    const coloured = inPty(`${runlog} runs -w ${WF}`);
    assert.match(coloured, /\x1b\[32mCOMPLETED\x1b\[39m/);
    assert.match(coloured, /\x1b\[31mFAILED\x1b\[39m/);
    const plain = inPty(`${runlog} runs -w ${WF}`, { NO_COLOR: '1' });
    assert.doesNotMatch(plain, /\x1b\[3\dm/);
    assert.match(plain, /COMPLETED/);
    const file = join(scratch, 'pty.parquet');
    const exported = inPty(`${runlog} export r-1 -w ${WF} -o ${JSON.stringify(file)}`);
    assert.match(exported, /export \|.*\| 5\/5 log records \| 1 runs/);
  });
});
