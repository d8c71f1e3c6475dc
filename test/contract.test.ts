// The contract stays clean: buf lint, format and breaking; generated types match the protos; everything typechecks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const GENERATED_DIR = 'services/common/gen';

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function assertClean(command: string, args: string[]): void {
  const { status, output } = run(command, args);
  assert.equal(status, 0, `${[command, ...args].join(' ')} failed:\n${output}`);
}

test('buf lint is clean', () => assertClean(join(BIN, 'buf'), ['lint']));

test('buf format leaves the protos unchanged', () => assertClean(join(BIN, 'buf'), ['format', '--diff', '--exit-code']));

/**
 * The commit the protos are checked against: the parent, or, when the parent has no proto/, the
 * newest earlier commit that has one; or why there is none in the history at hand.
 */
function protoBaseline(): { commit: string } | { none: string } {
  const shallow = run('git', ['rev-parse', '--is-shallow-repository']).output === 'true';
  const unshallow = 'this is a shallow clone: `git fetch --unshallow` brings the history';
  if (run('git', ['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}']).status !== 0) {
    return { none: shallow ? `no previous commit; ${unshallow}` : 'HEAD is the first commit' };
  }
  // The commits that changed proto/, newest first; one that deleted it has none, so each is looked into.
  const candidates = ['HEAD~1', ...run('git', ['log', '--format=%H', 'HEAD~1', '--', 'proto']).output.split('\n').filter(Boolean)];
  for (const candidate of candidates) {
    if (run('git', ['ls-tree', '-d', candidate, 'proto']).output !== '') return { commit: run('git', ['rev-parse', candidate]).output };
  }
  return { none: `no earlier commit has proto/${shallow ? `; ${unshallow}` : ' (the protos are new)'}` };
}

test('no breaking change against the previous commit with protos', (t) => {
  const baseline = protoBaseline();
  if ('none' in baseline) {
    // Loud on purpose: a pass here would claim a comparison that never happened.
    t.skip(`NOTHING COMPARED: ${baseline.none}`);
    return;
  }
  t.diagnostic(`compared against ${baseline.commit}`);
  assertClean(join(BIN, 'buf'), ['breaking', '--against', `.git#ref=${baseline.commit}`]);
});

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return files;
}

test(`${GENERATED_DIR} is what \`npm run gen\` produces from the protos`, () => {
  // The very command of package.json's gen script, with only the output folder changed.
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.gen;
  const [tool, ...args] = script.trim().split(/\s+/);
  const outputFlag = args.indexOf('-O');
  assert.ok(outputFlag >= 0 && args[outputFlag + 1] === GENERATED_DIR, `the gen script no longer writes to ${GENERATED_DIR}: ${script}`);
  const dir = mkdtempSync(join(tmpdir(), 'runlog-gen-'));
  try {
    args[outputFlag + 1] = dir;
    assertClean(join(BIN, tool), args);
    const fresh = filesUnder(dir);
    const committed = filesUnder(join(ROOT, GENERATED_DIR));
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), 'generated file list differs: run `npm run gen`');
    for (const [path, text] of fresh) assert.equal(committed.get(path), text, `${GENERATED_DIR}/${path} is stale: run \`npm run gen\``);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsc -p . typechecks clean', () => assertClean(join(BIN, 'tsc'), ['-p', '.']));
