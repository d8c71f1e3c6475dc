// The batching logger: an ingest outage while 50,000 events are logged, a SIGKILLed agent's spill replayed once, the spill file's records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogClient } from '../clients/ts/src/index.js';
import { contract } from '../clients/ts/src/contract.js';
import { SpillFile } from '../clients/ts/src/spill.js';
import { startSdkStack, type SdkStack } from './helpers/sdk-stack.js';
import { sleep, waitUntil } from './helpers/wait.js';

let stack: SdkStack;
let client: RunlogClient;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-spill-test-'));
  dirs.push(dir);
  return dir;
};

before(async () => {
  stack = await startSdkStack();
  client = new RunlogClient({ ingestAddress: stack.ingestAddress, queryAddress: stack.queryAddress });
});
after(async () => {
  client?.close();
  await stack?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function messages(workflowId: string, runId: string): Promise<string[]> {
  const all: string[] = [];
  for await (const record of client.iterateLogs({ filter: { workflowId, runId }, pageSize: 1000 })) all.push(record.event!.log!.message);
  return all;
}

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m ${from + i}`);

describe('batching logger', () => {
  test('ingest stopped for 10 s while 50,000 events are logged: every event arrives once, in order per run', async () => {
    const spillDir = tempDir();
    const logger = client.logger({ spillDir, maxBufferedEvents: 10_000, backoff: { initialDelayMs: 50, maxDelayMs: 500 } });
    const runs = Array.from({ length: 5 }, (_, i) => logger.startRun({ workflowId: 'logger.outage', runId: `r-${i}`, workflowName: 'outage' }));
    const perRun = 10_000;
    let next = 0;
    const logSome = (count: number) => {
      for (const end = next + count; next < end; next++) runs[next % runs.length].log.info(`m ${Math.floor(next / runs.length)}`);
    };
    logSome(10_000);
    await logger.flush();
    await stack.cluster.ingest.stop();
    // 40,000 more over the 10 s outage: 10,000 fill memory, the rest goes to the spill file.
    const outageEnds = Date.now() + 10_000;
    while (next < 50_000) {
      logSome(2000);
      await sleep(Math.max(0, (outageEnds - Date.now()) / Math.max(1, (50_000 - next) / 2000)));
    }
    const during = logger.stats();
    assert.ok(during.spilled >= 25_000, `spilled ${during.spilled}`);
    assert.equal(during.acked, 10_000 + 5);
    await sleep(Math.max(0, outageEnds - Date.now()));
    await stack.cluster.startIngest();
    const stats = await logger.close();
    assert.equal(stats.acked, 50_000 + 5);
    assert.equal(stats.rejected, 0);
    assert.deepEqual(readdirSync(spillDir), [], 'the spill file is removed once drained');
    for (let i = 0; i < runs.length; i++) {
      const stored = await waitUntil(() => messages('logger.outage', `r-${i}`), (m) => m.length >= perRun, { what: `run r-${i} stored`, timeoutMs: 60_000 });
      assert.deepEqual(stored, numbered(0, perRun), `run r-${i}`);
    }
  });

  test('an agent killed with SIGKILL while events are spilled: the next agent on the spill folder replays them once', async () => {
    const spillDir = tempDir();
    await stack.cluster.ingest.stop();
    const killed = await runAgent(['log', stack.ingestAddress, spillDir, 'logger.kill', 'r-1', '5000'], { killAfterFirstLine: true });
    assert.equal(JSON.parse(killed.firstLine).spilled, 4000);
    assert.equal(readdirSync(spillDir).length, 1);
    await stack.cluster.startIngest();

    const replayer = await runAgent(['replay', stack.ingestAddress, spillDir, 'logger.kill', 'r-1']);
    assert.equal(JSON.parse(replayer.firstLine).replayed, 4000);
    assert.deepEqual(readdirSync(spillDir), []);
    // The 1,000 events held in memory died with the agent; the spilled ones arrive once, in order.
    const stored = await waitUntil(() => messages('logger.kill', 'r-1'), (m) => m.length >= 4000, { what: 'the replayed events' });
    assert.deepEqual(stored, numbered(1000, 5000));

    const again = await runAgent(['replay', stack.ingestAddress, spillDir, 'logger.kill', 'r-1']);
    assert.equal(JSON.parse(again.firstLine).replayed, 0);
    await client.append({ events: [{ workflowId: 'logger.kill', runId: 'r-1', log: { level: 'LOG_LEVEL_INFO', message: 'marker' } }] });
    const final = await waitUntil(() => messages('logger.kill', 'r-1'), (m) => m.at(-1) === 'marker', { what: 'the marker' });
    assert.equal(final.length, 4001);
  });

  test('a process that exits without close() leaves what it held in memory in the spill file', async () => {
    const spillDir = tempDir();
    await stack.cluster.ingest.stop();
    const exited = await runAgent(['exit', stack.ingestAddress, spillDir, 'logger.exit', 'r-1', '1500']);
    assert.equal(exited.code, 0);
    assert.equal(JSON.parse(exited.firstLine).acked, 0);
    await stack.cluster.startIngest();
    const replayer = await runAgent(['replay', stack.ingestAddress, spillDir, 'logger.exit', 'r-1']);
    assert.equal(JSON.parse(replayer.firstLine).replayed, 1500);
    const stored = await waitUntil(() => messages('logger.exit', 'r-1'), (m) => m.length >= 1500, { what: 'the events left at exit' });
    assert.deepEqual(stored, numbered(0, 1500));
  });

  test('close with a timeout while the service is away spills what is left, for the next agent', async () => {
    const spillDir = tempDir();
    await stack.cluster.ingest.stop();
    const logger = client.logger({ spillDir, backoff: { initialDelayMs: 50, maxDelayMs: 100 } });
    const run = logger.run('logger.close', 'r-1');
    for (let i = 0; i < 300; i++) run.log.info(`m ${i}`);
    const stats = await logger.close({ timeoutMs: 300 });
    assert.equal(stats.acked, 0);
    assert.equal(stats.spilled, 300);
    await stack.cluster.startIngest();
    // A dead agent's file is claimed by pid; this one is still alive, so replay it from a child process.
    const replayer = await runAgent(['replay', stack.ingestAddress, spillDir, 'logger.close', 'r-1']);
    assert.equal(JSON.parse(replayer.firstLine).replayed, 0, 'a live process\'s spill is not claimed');
    // Once its writer is gone the file is claimed: hand it over as a dead process's by its name.
    const [file] = readdirSync(spillDir);
    renameSync(join(spillDir, file), join(spillDir, file.replace(/^spill-\d+-/, `spill-${await deadPid()}-`)));
    const replay = await runAgent(['replay', stack.ingestAddress, spillDir, 'logger.close', 'r-1']);
    assert.equal(JSON.parse(replay.firstLine).replayed, 300);
    const stored = await waitUntil(() => messages('logger.close', 'r-1'), (m) => m.length >= 300, { what: 'the spilled events' });
    assert.deepEqual(stored, numbered(0, 300));
  });
});

describe('spill file', () => {
  test('records are checksummed: a torn tail is cut off, acked batches are not pending', () => {
    const dir = tempDir();
    const type = contract().root.lookupType('runlog.v1.AppendRequest');
    const file = SpillFile.create(dir, type);
    const event = (i: number) => ({ workflowId: 'w', runId: 'r', log: { level: 'LOG_LEVEL_INFO' as const, message: `m ${i}`, time: { seconds: 1, nanos: 0 } } });
    file.appendBatches([
      { requestId: 'a/0', events: [event(0), event(1)] },
      { requestId: 'a/1', events: [event(2)] },
      { requestId: 'a/2', events: [event(3)] },
    ]);
    file.appendAck('a/0');
    file.sync();
    file.close();
    // A crash mid-write leaves half a record.
    appendFileSync(file.path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9]));
    const reopened = SpillFile.open(file.path, type);
    const scan = reopened.scan();
    assert.equal(scan.tornBytes, 11);
    assert.equal(scan.acked, 1);
    assert.deepEqual(scan.pending.map((batch) => batch.requestId), ['a/1', 'a/2']);
    assert.equal(reopened.read(scan.pending[1]).events![0].log!.message, 'm 3');
    // Acks written after the cut are seen by the next scan.
    reopened.appendAck('a/1');
    reopened.close();
    const third = SpillFile.open(file.path, type).scan();
    assert.deepEqual(third.pending.map((batch) => batch.requestId), ['a/2']);
    assert.equal(third.tornBytes, 0);
  });

  test('a flipped byte fails the checksum: the scan stops there', () => {
    const dir = tempDir();
    const type = contract().root.lookupType('runlog.v1.AppendRequest');
    const file = SpillFile.create(dir, type);
    const [first] = file.appendBatches([{ requestId: 'b/0', events: [] }, { requestId: 'b/1', events: [] }]);
    file.close();
    const bytes = readFileSync(file.path);
    bytes[first.length + 9] ^= 0xff;
    writeFileSync(file.path, bytes);
    const scan = SpillFile.open(file.path, type).scan();
    assert.deepEqual(scan.pending.map((batch) => batch.requestId), ['b/0']);
    assert.ok(scan.tornBytes > 0);
  });
});


const AGENT = fileURLToPath(new URL('./helpers/sdk-spill-agent.ts', import.meta.url));

/** Runs the agent; with killAfterFirstLine it is SIGKILLed as soon as it reports. */
function runAgent(args: string[], options: { killAfterFirstLine?: boolean } = {}): Promise<{ firstLine: string; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', AGENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstLine = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!firstLine && stdout.includes('\n')) {
        firstLine = stdout.slice(0, stdout.indexOf('\n'));
        if (options.killAfterFirstLine) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!firstLine) reject(new Error(`agent ${args[0]} said nothing (code ${code}, signal ${signal}):\n${stderr}`));
      else resolve({ firstLine, code, signal });
    });
  });
}

/** A pid no process has: a child's, once it has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid!));
  });
}
