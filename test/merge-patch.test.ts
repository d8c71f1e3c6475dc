// JSON Merge Patch against the test cases of RFC 7386, appendix A, and a hostile key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../services/query/merge-patch.js';
import type { Json } from '../services/common/values.js';

const CASES: [target: Json, patch: Json, result: Json][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('RFC 7386 appendix A', () => {
  for (const [target, patch, result] of CASES) assert.deepEqual(applyMergePatch(target, patch), result, JSON.stringify({ target, patch }));
});

test('a "__proto__" key in a patch becomes data, not a prototype', () => {
  const patched = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}') as Json) as Record<string, Json>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(patched), Object.prototype);
  assert.equal(JSON.stringify(patched), '{"a":1,"__proto__":{"polluted":true}}');
});

test('the target is not modified', () => {
  const target: Json = { a: { b: 1 } };
  applyMergePatch(target, { a: { b: 2 } });
  assert.deepEqual(target, { a: { b: 1 } });
});
