// Unit tests of subject naming (id escaping, partitioning) and of configuration loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeSubjectToken, partitionOf, Subjects, unescapeSubjectToken } from '../services/common/subjects.js';
import { ConfigError, duration, integer, loadConfig, size, text } from '../services/common/config.js';

const HOSTILE_IDS = [
  'a.b',
  '*',
  '>',
  'a b',
  '%',
  '%2E',
  '%%41',
  'über/ß',
  '日本語のワークフロー',
  '🚀🔥 rocket',
  'a.*.>',
  '..',
  ' ',
  'x'.repeat(256),
  'é'.repeat(128), // 256 bytes of UTF-8
  '$JS.API.>',
  'A-Z_a-z-09',
  // Ingest rejects control characters, but escaping must not depend on that.
  'tab\there',
  'new\nline\r\n',
  'nul\u0000',
];

test('escaped ids round-trip exactly', () => {
  for (const id of HOSTILE_IDS) assert.equal(unescapeSubjectToken(escapeSubjectToken(id)), id, `id ${JSON.stringify(id)}`);
});

test('an escaped id is one plain subject token: no dot, wildcard or whitespace', () => {
  for (const id of HOSTILE_IDS) {
    const token = escapeSubjectToken(id);
    assert.ok(token.length > 0, `id ${JSON.stringify(id)} gave an empty token`);
    assert.doesNotMatch(token, /[.*>\s]/, `id ${JSON.stringify(id)} gave ${token}`);
    // Only printable ASCII: a token must read the same in every NATS client and log line.
    assert.match(token, /^[\x21-\x7e]+$/, `id ${JSON.stringify(id)} gave ${token}`);
  }
});

test('ids that are safe characters stay readable', () => {
  assert.equal(escapeSubjectToken('etl-daily_2024'), 'etl-daily_2024');
  assert.equal(escapeSubjectToken('a.b'), 'a%2Eb');
  // The escape mark itself is escaped, so '%2E' (an id) and '.' (an id) differ.
  assert.equal(escapeSubjectToken('%2E'), '%252E');
  assert.notEqual(escapeSubjectToken('%2E'), escapeSubjectToken('.'));
});

test('distinct ids never share a token', () => {
  const ids = [...HOSTILE_IDS, '.', '%2e', '%2E', 'a%2Eb', 'a_b', 'a-b', 'A.B', 'a\u00a0b', 'e\u0301', '\u00e9'];
  const seen = new Map<string, string>();
  for (const id of ids) {
    const token = escapeSubjectToken(id);
    assert.ok(!seen.has(token) || seen.get(token) === id, `${JSON.stringify(id)} and ${JSON.stringify(seen.get(token))} share token ${token}`);
    seen.set(token, id);
  }
  // Every single character of the Basic Multilingual Plane outside the surrogates maps to its own token.
  const tokens = new Set<string>();
  let count = 0;
  for (let code = 1; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    tokens.add(escapeSubjectToken(String.fromCharCode(code)));
    count++;
  }
  assert.equal(tokens.size, count);
});

test('an event subject has exactly four tokens whatever the id, and the workflow comes back out', () => {
  const subjects = new Subjects('runlog', 8);
  for (const id of HOSTILE_IDS) {
    const subject = subjects.events(id);
    const tokens = subject.split('.');
    assert.equal(tokens.length, 4, subject);
    assert.deepEqual(tokens.slice(0, 2), ['runlog', 'ev']);
    assert.equal(tokens[2], String(partitionOf(id, 8)));
    assert.equal(subjects.workflowOf(subject), id);
  }
  assert.equal(subjects.partitionEvents(3), 'runlog.ev.3.>');
  assert.equal(subjects.allEvents(), 'runlog.ev.>');
  assert.equal(subjects.read(3), 'runlog.read.3');
});

test('partitionOf is stable and in range', () => {
  for (const count of [1, 2, 3, 7, 16, 1024]) {
    for (const id of HOSTILE_IDS) {
      const p = partitionOf(id, count);
      assert.ok(Number.isInteger(p) && p >= 0 && p < count, `partitionOf(${JSON.stringify(id)}, ${count}) = ${p}`);
      assert.equal(partitionOf(id, count), p);
    }
  }
  // Pinned values: other languages' clients and older versions must agree (SHA-256, first 4 bytes, big-endian).
  assert.equal(partitionOf('etl', 1024), 0x631fd8e1 % 1024);
  assert.equal(partitionOf('über/ß', 7), 0x3edf5a77 % 7);
  // And it spreads: 1000 ids over 4 partitions leave none nearly empty.
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 1000; i++) counts[partitionOf(`workflow-${i}`, 4)]++;
  for (const c of counts) assert.ok(c > 150, `uneven spread ${counts}`);
});

const SPEC = {
  port: { env: 'T_PORT', default: 7070, parse: integer(1, 65535), help: 'a port' },
  name: { env: 'T_NAME', parse: text(/^[a-z]+$/), help: 'a lowercase name' },
  wait: { env: 'T_WAIT', default: 1000, parse: duration, help: 'a wait' },
  limit: { env: 'T_LIMIT', default: 1024, parse: size, help: 'a size' },
};

test('loadConfig: environment over file over default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-config-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ T_PORT: 9000, T_NAME: 'fromfile', T_WAIT: '2s' }));
    const config = loadConfig(SPEC, { RUNLOG_CONFIG_FILE: file, T_NAME: 'fromenv', T_LIMIT: '4MiB' });
    assert.deepEqual(config, { port: 9000, name: 'fromenv', wait: 2000, limit: 4 * 1024 * 1024 });
    assert.deepEqual(loadConfig(SPEC, { T_NAME: 'x' }), { port: 7070, name: 'x', wait: 1000, limit: 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadConfig: one error lists every bad setting', () => {
  assert.throws(
    () => loadConfig(SPEC, { T_PORT: '70000', T_WAIT: 'soon', T_LIMIT: '3 parsecs' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const message = error.message;
      assert.match(message, /T_PORT="70000" must be an integer from 1 to 65535/);
      assert.match(message, /T_NAME is required: a lowercase name/);
      assert.match(message, /T_WAIT="soon" must be a duration/);
      assert.match(message, /T_LIMIT="3 parsecs" must be a size/);
      return true;
    },
  );
});

test('loadConfig: an unreadable config file is a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-config-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ not json');
    assert.throws(() => loadConfig(SPEC, { RUNLOG_CONFIG_FILE: file, T_NAME: 'x' }), /RUNLOG_CONFIG_FILE=.*cannot read it as JSON/);
    writeFileSync(file, '[1, 2]');
    assert.throws(() => loadConfig(SPEC, { RUNLOG_CONFIG_FILE: file, T_NAME: 'x' }), /must hold a JSON object/);
    assert.throws(() => loadConfig(SPEC, { RUNLOG_CONFIG_FILE: join(dir, 'missing.json'), T_NAME: 'x' }), /cannot read it as JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
