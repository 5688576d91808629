/**
 * Memory a burst leaves behind goes back to the system: `releaseFreedHeap` in this process, and
 * `Kernel.relieveMemory` in every sandbox host too, without disturbing the plugins.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseFreedHeap } from '../../src/sandbox/heap-relief.ts';
import { GUILD_A, GUILD_B, assertHealthyEverywhere, setup } from '../hostile/support.ts';

test('releaseFreedHeap gives back the pages garbage left in RSS', async () => {
  // About 100 MB of short-lived objects, dropped on return: V8 keeps their pages until told otherwise.
  const burst = (): number => Array.from({ length: 400 }, () => Array.from({ length: 32_768 }, (_, i) => i + 0.5)).length;
  assert.equal(burst(), 400);
  const relief = await releaseFreedHeap();
  assert.ok(relief.rssBeforeBytes - relief.rssAfterBytes > 32 * 2 ** 20, `RSS went from ${relief.rssBeforeBytes} to ${relief.rssAfterBytes} bytes`);
  assert.ok(relief.ms >= 0);
});

test('relieveMemory reaches every sandbox host, and the plugins keep answering', async () => {
  const t = await setup([], { hostileGuilds: [GUILD_A, GUILD_B] });
  try {
    await assertHealthyEverywhere(t);
    const stats = await t.kernel.relieveMemory();
    assert.deepEqual(stats.map((s) => s.pid).sort(), [...t.kernel.sandboxPids].sort());
    for (const s of stats) assert.ok(s.rssBytes > 0);
    await assertHealthyEverywhere(t);
  } finally {
    await t.close();
  }
});
