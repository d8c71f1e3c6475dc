// deploy/Dockerfile checked offline (no container engine here): its stages, user, entrypoint, build context, and the runtime stage's layout run for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerignoreIncludes, execForm, parseCopy, parseDockerfile, type Stage } from './helpers/dockerfile.js';
import { append, ingestClient } from './helpers/ingest-client.js';
import { numberedLog } from './helpers/events.js';
import { queryPartition } from './helpers/duckdb.js';
import { waitUntil } from './helpers/wait.js';
import { removeDir, startNatsCluster, startServiceOnFreePort, type RunningService } from './helpers/multi-node.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DOCKERFILE = readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO, 'deploy/Dockerfile.dockerignore'), 'utf8');
const image = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => {
  const found = image.stages.find((s) => s.name === name);
  assert.ok(found, `the Dockerfile has a stage named ${name}`);
  return found;
};
const runtime = image.stages[image.stages.length - 1];
const runsOf = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const copiesOf = (s: Stage) => s.instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args));
const lastOf = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
const SERVICES = readdirSync(join(REPO, 'services')).filter((name) => existsSync(join(REPO, 'services', name, 'main.ts'))).sort();

test('three stages: build compiles, deps installs production dependencies only, runtime is the last', () => {
  assert.deepEqual(image.stages.map((s) => s.name), ['build', 'deps', 'runtime']);
  for (const s of image.stages) {
    // DuckDB's prebuilt bindings link against glibc.
    assert.doesNotMatch(s.base, /alpine/, `stage ${s.name} starts from a glibc image`);
    assert.match(s.base, /^node:\d+/, `stage ${s.name} starts from an official Node.js image`);
  }
  const nodeMajor = Number(/^node:(\d+)/.exec(runtime.base)![1]);
  const required = Number(/(\d+)/.exec(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines.node)![1]);
  assert.ok(nodeMajor >= required, `node ${nodeMajor} satisfies engines.node >= ${required}`);

  const tsc = runsOf(stage('build')).find((run) => run.includes('tsc'));
  assert.ok(tsc, 'the build stage runs tsc');
  const tsconfig = /-p\s+(\S+)/.exec(tsc)![1];
  assert.ok(existsSync(join(REPO, tsconfig)), `${tsconfig} exists`);

  const install = runsOf(stage('deps')).find((run) => /npm (install|ci)/.test(run));
  assert.ok(install, 'the deps stage installs packages');
  assert.match(install, /--omit=dev/);
  assert.match(install, /--ignore-scripts/);

  assert.ok(!runsOf(runtime).some((run) => /\b(npm|npx|tsc)\b/.test(run)), 'the runtime stage installs and compiles nothing');
  const fromStages = copiesOf(runtime).filter((c) => c.from !== undefined);
  assert.deepEqual(
    fromStages.map((c) => `${c.from}:${c.sources.join(' ')}`).sort(),
    ['build:/src/dist/services', 'deps:/app/node_modules'],
    'the runtime takes node_modules from deps (production only) and compiled code from build, nothing else',
  );
});

test('the runtime runs as a numeric non-root user, with tini as PID 1 passing SIGTERM to node', () => {
  const user = lastOf(runtime, 'USER');
  assert.ok(user, 'the runtime stage sets USER');
  const [uid, gid] = user.split(':');
  assert.match(uid, /^\d+$/, 'numeric, so Kubernetes runAsNonRoot can verify it');
  assert.notEqual(Number(uid), 0);
  if (gid !== undefined) assert.notEqual(Number(gid), 0);
  const userAt = runtime.instructions.findIndex((i) => i.keyword === 'USER');
  assert.ok(!runtime.instructions.slice(userAt).some((i) => i.keyword === 'RUN'), 'nothing runs after USER (it would be root work as the user)');

  assert.equal(lastOf(runtime, 'STOPSIGNAL') ?? 'SIGTERM', 'SIGTERM');
  const entrypoint = execForm(lastOf(runtime, 'ENTRYPOINT') ?? '');
  assert.ok(entrypoint, 'ENTRYPOINT in exec form (a shell form would make sh PID 1, which does not pass SIGTERM on)');
  assert.deepEqual(entrypoint.slice(0, 3), ['/usr/bin/tini', '--', 'node']);
  assert.ok(runsOf(runtime).some((run) => /apt-get install .*\btini\b/.test(run)), 'tini is installed in the runtime stage');
  assert.equal(lastOf(runtime, 'CMD'), undefined, 'no default service: the service is always named');

  // The entrypoint script is copied to the path the ENTRYPOINT runs, and knows exactly the services with a main.
  const script = entrypoint[3];
  const copied = copiesOf(runtime).find((c) => c.from === undefined && join(lastOf(runtime, 'WORKDIR') ?? '/', c.destination) === script);
  assert.ok(copied, `${script} is copied from the build context`);
  const named = /const SERVICES = \[([^\]]*)\]/.exec(readFileSync(join(REPO, copied.sources[0]), 'utf8'));
  assert.ok(named);
  assert.deepEqual(named[1].split(',').map((s) => s.trim().replace(/'/g, '')).sort(), SERVICES);
});

test('every file a stage copies from the build context exists and passes the dockerignore', () => {
  const copies = image.stages.flatMap((s) => copiesOf(s)).filter((c) => c.from === undefined);
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    for (const source of copy.sources) {
      const path = join(REPO, source);
      assert.ok(existsSync(path), `${source} exists`);
      for (const file of filesUnder(path)) {
        const rel = relative(REPO, file);
        assert.ok(dockerignoreIncludes(DOCKERIGNORE, rel), `${rel} is sent to the builder`);
      }
    }
  }
  assert.ok(!dockerignoreIncludes(DOCKERIGNORE, 'node_modules/tsx/package.json'), 'node_modules stays out of the context');
  assert.ok(!dockerignoreIncludes(DOCKERIGNORE, 'data/partition-0.duckdb'), 'local data stays out of the context');
});

test('the runtime stage\'s layout, assembled here from the same COPY lines, serves, stores an event and drains on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-image-'));
  t.after(() => removeDir(dir));
  // The build stage's compile, with the Dockerfile's tsconfig; its output stands for /src/dist.
  const tsconfig = /-p\s+(\S+)/.exec(runsOf(stage('build')).find((run) => run.includes('tsc'))!)![1];
  const dist = join(dir, 'dist');
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, tsconfig), '--outDir', dist], { cwd: REPO, stdio: 'pipe' });

  const app = join(dir, 'app');
  const workdir = lastOf(runtime, 'WORKDIR')!;
  for (const copy of copiesOf(runtime)) {
    const target = join(app, relative(workdir, join(workdir, copy.destination)));
    if (copy.from === 'deps') {
      // The repository's node_modules holds the dev dependencies too: they are not imported by the services.
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), target.replace(/\/$/, ''));
    } else if (copy.from === 'build') {
      cpSync(join(dist, relative('/src/dist', copy.sources[0])), target, { recursive: true });
    } else {
      for (const source of copy.sources) {
        const into = copy.destination.endsWith('/') ? join(target, source.split('/').at(-1)!) : target;
        mkdirSync(dirname(into), { recursive: true });
        cpSync(join(REPO, source), into, { recursive: true });
      }
    }
  }
  const entrypoint = execForm(lastOf(runtime, 'ENTRYPOINT')!)!;
  // tini is what the image runs as PID 1; without it here, node runs the same script directly.
  const hasTini = spawnSync('tini', ['--version']).status === 0;
  if (!hasTini) t.diagnostic('tini is not installed here: the services run under node without it (apt-get install tini to include it)');
  const command = {
    file: hasTini ? 'tini' : process.execPath,
    args: [...(hasTini ? ['--', process.execPath] : []), join(app, relative(workdir, entrypoint[3]))],
    cwd: app,
  };

  const usage = spawnSync(command.file, [...command.args, 'nothing'], { cwd: app, encoding: 'utf8' });
  assert.equal(usage.status, 64, usage.stderr);
  assert.match(usage.stderr, /usage: runlog <ingest\|persister\|query>/);

  const nats = await startNatsCluster(join(dir, 'nats'), 1);
  t.after(() => nats.stop());
  const env = { RUNLOG_NATS_URL: nats.url, RUNLOG_DATA_DIR: join(dir, 'data'), RUNLOG_DRAIN_GRACE: '2s', NODE_ENV: 'production' };
  const started: RunningService[] = [];
  t.after(() => Promise.all(started.map((s) => s.proc.kill())));
  for (const name of ['persister', 'ingest', 'query'] as const) started.push(await startServiceOnFreePort(name, env, { command, label: name }));

  const client = ingestClient(started[1].address);
  try {
    await append(client, { requestId: 'image-1', events: [numberedLog('wf', 'run', 0)] });
  } finally {
    client.close();
  }
  await waitUntil(
    () => queryPartition(env.RUNLOG_DATA_DIR, 0, 'SELECT count(*) AS n FROM logs'),
    (rows) => Number(rows[0].n) === 1,
    { what: 'the event in partition 0' },
  );
  // SIGTERM to PID 1 (tini) reaches node, which drains and exits 0; tini exits with its child's code.
  for (const service of [...started].reverse()) assert.equal(await service.proc.stop(15_000), 0, `${service.proc.name} drained:\n${service.proc.output().slice(-2000)}`);
  const rows = await queryPartition(env.RUNLOG_DATA_DIR, 0, 'SELECT count(*) AS n FROM logs');
  assert.equal(Number(rows[0].n), 1, 'the stopped persister\'s file holds the event');
});

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}
