// Installs what `npm start` and `npm test` need and is missing: npm packages, then nats-server.
// Plain JavaScript on purpose: it runs before any dependency (tsx included) is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

function packagesAreCurrent() {
  const marker = `${root}node_modules/.package-lock.json`;
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(`${root}package-lock.json`).mtimeMs;
}

// `npm install`, not `npm ci`: some platform packages of @duckdb/node-bindings are not published
// for every version, so the lock file cannot list them, and `npm ci` refuses such a lock file.
// With the lock file present, `npm install` installs the versions it records.
if (!packagesAreCurrent()) {
  console.error('runlog: installing npm packages (npm install)…');
  if (!run('npm', ['install', '--no-audit', '--no-fund'])) {
    console.error('runlog: `npm install` failed; fix the error above and run the command again.');
    process.exit(1);
  }
}

function hasNatsServer() {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

if (!hasNatsServer()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = spawnSync('which', ['apt-get']).status === 0;
  if (isRoot && aptGet) {
    console.error('runlog: installing nats-server (apt-get install -y nats-server)…');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'nats-server']);
  }
  if (!hasNatsServer()) {
    console.error(
      'runlog: nats-server is not installed and could not be installed here.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y nats-server\n' +
        '  elsewhere: install nats-server 2.9 or newer and put it on PATH.',
    );
    process.exit(1);
  }
}
const version = execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
if (process.env.RUNLOG_SETUP_VERBOSE) console.error(`runlog: ${version}`);

// The Python client's part (clients/python), kept in its own script; `npm start` does not need it.
if (process.env.npm_lifecycle_event !== 'start') {
  const { ensurePython } = await import('./ensure-python.mjs');
  ensurePython();
}
