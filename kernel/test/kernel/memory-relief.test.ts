/**
 * Memory a burst leaves behind goes back to the system: `releaseFreedHeap` in this process, and
 * `Kernel.relieveMemory` in every sandbox host and plugin isolate too, without disturbing the plugins.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseFreedHeap } from '../../src/sandbox/heap-relief.ts';
import { GUILD_A, GUILD_B, assertHealthyEverywhere, buildBundle, command, setup } from '../hostile/support.ts';

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

test('relieveMemory collects the plugin isolates: their garbage goes, what the plugin keeps stays', async () => {
  const CHURN = '@test/churn';
  const churn = buildBundle({
    name: CHURN,
    commands: ['churn', 'kept'],
    limits: { memoryMb: 64, cpuMsPerEvent: 1000 },
    // Module state the collection must keep, and about 20 MB held until /churn returns (long enough to reach the old generation), garbage after.
    prelude: 'const kept = Array.from({ length: 1000 }, (_, i) => ({ i }));',
    definition: `{
      commands: {
        churn() { const held = []; for (let k = 0; k < 50; k++) held.push(Array.from({ length: 10000 }, (_, i) => ({ i }))); return String(held.length); },
        kept() { return String(kept.length + kept[999].i); },
      },
    }`,
  });
  const t = await setup([churn], { hostileGuilds: [GUILD_A] });
  try {
    const churned = await command(t.kernel, GUILD_A, 'churn');
    assert.equal(churned.ok, true, JSON.stringify(churned));
    const heap = async (relieve: boolean) => (relieve ? await t.kernel.relieveMemory() : await t.kernel.sandboxStats()).reduce((sum, s) => sum + (s.heapBytesByPlugin[`${CHURN}@1.0.0`] ?? 0), 0);
    const before = await heap(false);
    const after = await heap(true);
    assert.ok(before > 4 * 2 ** 20, `the isolate held ${before} bytes after the churn`);
    assert.ok(after < before / 4, `relief left ${after} of ${before} bytes in the isolate`);
    assert.deepEqual((await command(t.kernel, GUILD_A, 'kept')).reply, { content: '1999' });
    await assertHealthyEverywhere(t);
  } finally {
    await t.close();
  }
});
