// SubjectOrder: one workflow's messages are published one after another, and nothing queued behind a failure is published.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubjectOrder } from '../services/common/publish.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test('messages to one subject are published in order, one at a time; other subjects do not wait', async () => {
  const order = new SubjectOrder();
  const log: string[] = [];
  const publish = (name: string) => async () => {
    log.push(`start ${name}`);
    await tick();
    log.push(`end ${name}`);
    return name;
  };
  const results = await Promise.all([order.run('a', publish('a1')), order.run('b', publish('b1')), order.run('a', publish('a2'))]);
  assert.deepEqual(results, ['a1', 'b1', 'a2']);
  assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), 'a2 starts after a1 was acked');
  assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), 'b1 does not wait for a1');
});

test('after a failure, what was queued behind it on that subject fails unpublished', async () => {
  const order = new SubjectOrder();
  const published: string[] = [];
  const refused = order.run('a', async () => {
    await tick();
    throw new Error('stream full');
  });
  const queued = order.run('a', async () => {
    published.push('a2');
  });
  const other = order.run('b', async () => {
    published.push('b1');
  });
  await assert.rejects(refused, /stream full/);
  await assert.rejects(queued, /stream full/);
  await other;
  assert.deepEqual(published, ['b1']);
  // Once the failed chain has settled, the subject takes new messages again.
  assert.equal(await order.run('a', async () => 'a3'), 'a3');
});
