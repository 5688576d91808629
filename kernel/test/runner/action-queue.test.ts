/**
 * Backpressure of the action queue on real Redis: past its high-water mark `enqueue` waits (so the
 * kernel's result handling, and event intake behind it, slows down) until workers bring the queue
 * back under the low-water mark; nothing is dropped, and a key enqueued twice is one job.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ActionEnvelope } from '../../src/index.ts';
import { ActionQueue, bullConnection } from '../../src/runner/index.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `townes-test:${randomBytes(6).toString('hex')}:bull`;
const queue = new ActionQueue({ connection: bullConnection(REDIS_URL), name: 'actions', prefix, highWater: 10, lowWater: 4 });

const envelope = (i: number): ActionEnvelope => ({
  key: `event-${i}:@test/p:0`,
  plugin: '@test/p',
  version: '1.0.0',
  guildId: '300000000000000001',
  action: { type: 'sendMessage', channelId: '300000000000000002', message: { content: `message ${i}` } },
});

after(async () => {
  await queue.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

test('past the high-water mark enqueue waits until workers drain the queue below the low-water mark; nothing is lost', async () => {
  for (let i = 0; i < 10; i++) await queue.enqueue([envelope(i)]);
  assert.equal(await queue.depth(), 10);

  let resolved = false;
  const blocked = queue.enqueue([envelope(10)]).then(() => (resolved = true));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(resolved, false, 'the eleventh action waits: the queue is at its high-water mark');

  const done: string[] = [];
  const worker = new Worker<ActionEnvelope>('actions', async (job) => void done.push(job.data.key), { connection: bullConnection(REDIS_URL), prefix, concurrency: 1 });
  try {
    await blocked;
    assert.ok(done.length >= 6, `it resumed only once the queue was down to the low-water mark (${done.length} done)`);
    const deadline = Date.now() + 10_000;
    while (done.length < 11 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([...done].sort(), Array.from({ length: 11 }, (_, i) => envelope(i).key).sort(), 'every action ran, once');
    await queue.enqueue([envelope(3)]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done.length, 11, 'a key enqueued again (a retried event) is not a second job');
  } finally {
    await worker.close();
  }
});
