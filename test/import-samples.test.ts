// `runlog import` on every sample of ../shared/samples against a live stack: counts, statuses, forks, idempotence, and a hostile pickle refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogClient } from '../clients/ts/src/index.js';
import { readPickle, UnsafePickleError } from '../clients/ts/import/pickle.js';
import { openGrapheteria } from '../clients/ts/import/grapheteria.js';
import { openRunnable } from '../clients/ts/import/runnable.js';
import type { ImportedRun, ImportItem } from '../clients/ts/import/model.js';
import type { ImportSummary } from '../clients/ts/import/sink.js';
import { startSdkStack, type SdkStack } from './helpers/sdk-stack.js';
import { runCli } from './helpers/cli.js';
import { waitUntil } from './helpers/wait.js';

// The samples lie beside the repository (shared/samples), as on every developer's machine and in CI.
const SAMPLES = process.env.RUNLOG_SAMPLES_DIR ?? fileURLToPath(new URL('./samples/', import.meta.url));
const GRAPHETERIA = join(SAMPLES, 'grapheteria');
const RUNNABLE_STORES = ['real-docs-v0.5/file-system', 'real-docs-v0.5/chunked-fs', 'synthetic-v0.48/file-system', 'synthetic-v0.48/chunked-fs', 'synthetic-v0.45-0.47/chunked-fs'].map((store) => join(SAMPLES, 'runnable', store));

let stack: SdkStack;
let client: RunlogClient;
const scratch = mkdtempSync(join(tmpdir(), 'runlog-import-test-'));

before(async () => {
  assert.ok(existsSync(GRAPHETERIA), `the samples are missing: ${SAMPLES} (set RUNLOG_SAMPLES_DIR)`);
  stack = await startSdkStack();
  client = new RunlogClient({ ingestAddress: stack.ingestAddress, queryAddress: stack.queryAddress });
});
after(async () => {
  client?.close();
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function importCli(tool: string, path: string, extra: string[] = []): Promise<ImportSummary> {
  const result = await runCli(['import', tool, path, '--json', ...extra], { ingest: stack.ingestAddress, query: stack.queryAddress });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ImportSummary;
}

async function runsOf(items: AsyncIterable<ImportItem>): Promise<ImportedRun[]> {
  const runs: ImportedRun[] = [];
  for await (const item of items) {
    if ('skipped' in item) assert.fail(`skipped ${item.skipped.source}: ${item.skipped.reason}`);
    runs.push(item.run);
  }
  return runs;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function stepCount(workflowId: string, runId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.iterateSteps({ run: { workflowId, runId }, omitState: true })) n++;
  return n;
}

describe('grapheteria', () => {
  test('the pickle, legacy JSON and SQLite stores read as the same four runs', async () => {
    const pickled = await runsOf((await openGrapheteria(join(GRAPHETERIA, 'logs'))).items);
    const legacy = await runsOf((await openGrapheteria(join(GRAPHETERIA, 'logs-legacy-json'))).items);
    const sqlite = await runsOf((await openGrapheteria(join(GRAPHETERIA, 'workflows.db'))).items);
    const key = (runs: ImportedRun[]) => runs.map((run) => ({ id: `${run.workflowId}/${run.runId}`, events: run.events })).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(key(legacy), key(pickled));
    assert.deepEqual(key(sqlite), key(pickled));
    const snapshots = Object.fromEntries(pickled.map((run) => [run.runId, run.counts.steps]));
    assert.deepEqual(snapshots, { '20250422_093001_357': 5, '20250422_093708_761': 4, '20250422_094014_932': 3, '20250422_114019_868': 5 });
  });

  test('import stores every snapshot, the status history and the fork parent; a second import stores nothing', async () => {
    const first = await importCli('grapheteria', join(GRAPHETERIA, 'logs'));
    assert.equal(first.runs, 4);
    assert.equal(first.imported, 4);
    assert.equal(first.steps, 17);
    assert.deepEqual(first.statuses, { COMPLETED: 3, FAILED: 1 });
    assert.deepEqual(first.skipped, []);

    const wf = 'workflows.order_pipeline';
    // Runs are stored side by side: each is waited for on its own.
    const stored = (workflowId: string, runId: string) => waitUntil(() => client.getRun(workflowId, runId), () => true, { what: `${workflowId}/${runId} stored` });
    const fork = await stored(wf, '20250422_094014_932');
    assert.equal(fork.summary!.parentRunId, '20250422_093708_761');
    assert.equal(fork.forkStep, 2);
    assert.equal(fork.summary!.status, 'STATUS_COMPLETED');
    const failed = await stored(wf, '20250422_093708_761');
    assert.deepEqual(failed.timeline.map((entry) => entry.status), ['STATUS_RUNNING', 'STATUS_FAILED']);
    assert.equal(failed.timeline[1].reason, 'RuntimeError: card declined: insufficient funds');
    assert.equal(failed.tasks.find((task) => task.taskName === 'charge')?.status, 'STATUS_FAILED');
    const waiting = await stored('examples.human_in_the_loop.workflow', '20250422_114019_868');
    assert.deepEqual(waiting.timeline.map((entry) => entry.status), ['STATUS_RUNNING', 'STATUS_WAITING', 'STATUS_RUNNING', 'STATUS_COMPLETED']);

    // Steps as stored: snapshot 0 included; the fork's timeline is the parent's 0..1 and its own 2..4.
    await waitUntil(() => stepCount(wf, '20250422_093001_357'), (n) => n === 5, { what: 'five steps' });
    await waitUntil(() => stepCount(wf, '20250422_093708_761'), (n) => n === 4, { what: 'four steps' });
    const forkSteps = [];
    for await (const step of client.iterateSteps({ run: { workflowId: wf, runId: '20250422_094014_932' } })) forkSteps.push([step.step, step.sourceRunId]);
    assert.deepEqual(forkSteps, [
      [0, '20250422_093708_761'],
      [1, '20250422_093708_761'],
      [2, '20250422_094014_932'],
      [3, '20250422_094014_932'],
      [4, '20250422_094014_932'],
    ]);
    const lineage = await client.getLineage({ workflowId: wf, runId: '20250422_093708_761' });
    assert.deepEqual(lineage.run!.forks.map((node) => node.runId), ['20250422_094014_932']);

    const again = await importCli('grapheteria', join(GRAPHETERIA, 'logs'));
    assert.equal(again.imported, 0);
    assert.equal(again.alreadyImported, 4);
    // The same runs in the legacy JSON files and in SQLite are the same runs: nothing new either.
    for (const summary of await Promise.all([join(GRAPHETERIA, 'logs-legacy-json'), join(GRAPHETERIA, 'workflows.db')].map((path) => importCli('grapheteria', path)))) {
      assert.deepEqual([summary.imported, summary.alreadyImported], [0, 4]);
    }
    assert.equal(await stepCount(wf, '20250422_093001_357'), 5);
  });

  test('workflow ids with dots and unicode survive; a state with an unknown status is skipped with its reason', async () => {
    const root = join(scratch, 'unicode-logs');
    const data = JSON.parse(readFileSync(join(GRAPHETERIA, 'logs-legacy-json/workflows.order_pipeline/20250422_093001_357/state.json'), 'utf8'));
    const workflowId = 'flöws.ünïcode.v1 ß';
    mkdirSync(join(root, workflowId, 'r.1'), { recursive: true });
    writeFileSync(join(root, workflowId, 'r.1', 'state.json'), JSON.stringify({ ...data, workflow_id: workflowId, run_id: 'r.1' }));
    mkdirSync(join(root, workflowId, 'bad'), { recursive: true });
    const bad = { ...data, workflow_id: workflowId, run_id: 'bad', steps: [{ ...data.steps[0], workflow_status: 'RUNNING' }] };
    writeFileSync(join(root, workflowId, 'bad', 'state.json'), JSON.stringify(bad));
    const summary = await importCli('grapheteria', root);
    assert.equal(summary.imported, 1);
    assert.equal(summary.skipped.length, 1);
    assert.match(summary.skipped[0].reason, /workflow_status 'RUNNING' is not one of HEALTHY/);
    const run = await waitUntil(() => client.getRun(workflowId, 'r.1'), () => true, { what: 'the unicode run' });
    assert.equal(run.summary!.workflowId, workflowId);
  });

  test('a hostile pickle is refused without running it; the other runs of the folder are imported', async () => {
    const marker = join(scratch, 'pwned');
    // pickle.dumps of an object whose __reduce__ is (os.system, ("touch <marker>",)), protocol 4.
    const command = Buffer.from(`touch ${marker}`);
    const hostile = Buffer.concat([
      Buffer.from([0x80, 0x04, 0x8c, 0x05]),
      Buffer.from('posix'),
      Buffer.from([0x94, 0x8c, 0x06]),
      Buffer.from('system'),
      Buffer.from([0x94, 0x93, 0x94, 0x8c, command.length]),
      command,
      Buffer.from([0x94, 0x85, 0x94, 0x52, 0x94, 0x2e]),
    ]);
    assert.throws(() => readPickle(hostile, 'evil/state.pkl'), (error: unknown) => error instanceof UnsafePickleError && /STACK_GLOBAL.*posix\.system/.test(error.message) && /evil\/state\.pkl/.test(error.message));
    // The older form, GLOBAL with the names inline.
    const global = Buffer.from(`cos\nsystem\n(S'touch ${marker}'\ntR.`);
    assert.throws(() => readPickle(global, 'old.pkl'), /GLOBAL at byte 0: it would import os\.system/);

    const root = join(scratch, 'hostile-logs');
    cpSync(join(GRAPHETERIA, 'logs', 'examples.human_in_the_loop.workflow'), join(root, 'hostile.wf'), { recursive: true });
    mkdirSync(join(root, 'hostile.wf', 'evil'), { recursive: true });
    writeFileSync(join(root, 'hostile.wf', 'evil', 'state.pkl'), hostile);
    const summary = await importCli('grapheteria', root);
    assert.equal(existsSync(marker), false, 'the pickle ran code');
    assert.equal(summary.imported, 0, 'the good run has the same ids as an imported one');
    assert.equal(summary.alreadyImported, 1);
    assert.equal(summary.skipped.length, 1);
    assert.match(summary.skipped[0].reason, /hostile\.wf\/evil\/state\.pkl: refused pickle opcode STACK_GLOBAL/);
  });
});

describe('runnable', () => {
  test('all fifteen runs of the four schema versions: steps, attempts, branches, statuses; a second import stores nothing', async () => {
    const parsed = (await Promise.all(RUNNABLE_STORES.map((store) => runsOf(openRunnable(store).items)))).flat();
    const byRun = Object.fromEntries(parsed.map((run) => [run.runId, { ...run.counts, status: run.status, schema: run.events[0].runStarted!.tags!['runnable.schema'] }]));
    assert.equal(parsed.length, 15);
    assert.deepEqual(byRun['bipartite-neumann-1913'], { steps: 31, logs: 24, attempts: 24, branches: 14, status: 'COMPLETED', schema: '0.10' });
    assert.deepEqual(byRun['toFail'], { steps: 3, logs: 3, attempts: 3, branches: 0, status: 'RUNNING', schema: '0.10' });
    assert.deepEqual(byRun['wrong-file-name'], { steps: 4, logs: 4, attempts: 4, branches: 0, status: 'FAILED', schema: '0.10' });
    assert.deepEqual(byRun['gentle-lovelace-1745'], { steps: 4, logs: 5, attempts: 5, branches: 0, status: 'COMPLETED', schema: '0.48+' });
    assert.deepEqual(byRun['festive-hopper-0912'], { steps: 8, logs: 7, attempts: 7, branches: 2, status: 'COMPLETED', schema: '0.48+' });
    assert.deepEqual(byRun['jolly-ptolemy-1102'], { steps: 1, logs: 1, attempts: 1, branches: 0, status: 'COMPLETED', schema: '0.48+' });
    assert.deepEqual(byRun['brave-curie-0815'], { steps: 7, logs: 6, attempts: 6, branches: 2, status: 'COMPLETED', schema: '0.48+' });
    assert.deepEqual(byRun['sleepy-einstein-1022'], { steps: 7, logs: 6, attempts: 6, branches: 2, status: 'COMPLETED', schema: '0.45-0.47' });
    assert.deepEqual(byRun['pleasant-lamarr-0549'], { steps: 1, logs: 1, attempts: 1, branches: 0, status: 'COMPLETED', schema: '0.10' });

    // The stores hold distinct runs: imported side by side.
    const summaries = await Promise.all(RUNNABLE_STORES.map((store) => importCli('runnable', store)));
    const total = (key: 'runs' | 'imported' | 'steps' | 'attempts' | 'branches') => summaries.reduce((sum, s) => sum + s[key], 0);
    assert.deepEqual([total('runs'), total('imported'), total('steps'), total('attempts'), total('branches')], [15, 15, 99, 88, 27]);

    // A retried run: the failed attempt and the successful retry, the run completed.
    const retried = await waitUntil(() => client.getRun('pipelines.api', 'gentle-lovelace-1745'), () => true, { what: 'the retried run' });
    const flaky = retried.tasks.find((task) => task.taskName === 'flaky call')!;
    assert.equal(flaky.attempt, 2);
    assert.equal(flaky.status, 'STATUS_COMPLETED');
    assert.deepEqual(flaky.timeline.map((entry) => [entry.attempt, entry.status]), [
      [1, 'STATUS_RUNNING'],
      [1, 'STATUS_FAILED'],
      [2, 'STATUS_RUNNING'],
      [2, 'STATUS_COMPLETED'],
    ]);
    assert.equal(retried.summary!.status, 'STATUS_COMPLETED');
    assert.deepEqual(retried.parameters!.timeout_s !== undefined, true);
    // Old chunked layout: branches re-nested under their map step, parameters from Parameter-*.json.
    const legacy = await waitUntil(() => client.getRun('pipelines.legacy', 'sleepy-einstein-1022'), () => true, { what: 'the legacy run' });
    assert.ok(legacy.tasks.some((task) => task.taskName === 'process chunks.2.transform' && task.status === 'STATUS_COMPLETED'));
    assert.deepEqual(legacy.parameters!.chunks, ['1', '2']);
    const unfinished = await waitUntil(() => client.getRun('examples.retry-fail', 'toFail'), () => true, { what: 'the unfinished run' });
    assert.equal(unfinished.summary!.status, 'STATUS_RUNNING');

    // Right after the first import, and again once every run is readable: nothing is stored twice either way.
    const soon = await Promise.all(RUNNABLE_STORES.map((store) => importCli('runnable', store)));
    assert.deepEqual(soon.map((summary) => summary.imported), [0, 0, 0, 0, 0]);
    await waitUntil(async () => (await collect(client.iterateRuns({ tags: { source: 'runnable' } }))).length, (n) => n === 15, { what: 'all fifteen runs readable' });
    const again = await Promise.all(RUNNABLE_STORES.map((store) => importCli('runnable', store)));
    again.forEach((summary, i) => {
      assert.equal(summary.imported, 0, RUNNABLE_STORES[i]);
      assert.equal(summary.alreadyImported, summary.runs, RUNNABLE_STORES[i]);
    });
  });
});
