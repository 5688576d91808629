/**
 * The runner's memory upkeep relieves at its first check, then only when RSS grew past the
 * threshold since the last relief, never while the sandboxes have events, one relief at a time;
 * a failing relief is logged, not thrown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { HostStats } from '../../src/sandbox/sandbox-protocol.ts';
import { MemoryUpkeep } from '../../src/runner/memory-upkeep.ts';

const host = (rssBytes: number): HostStats => ({ pid: 1, rssBytes, hostHeapBytes: 0, heapBytesByPlugin: {}, cacheBytes: 0, queued: 0 });
const MB = 2 ** 20;

test('the first check relieves; later ones only after RSS grew past the threshold', async () => {
  let hostRss = 100 * MB;
  let reliefs = 0;
  const upkeep = new MemoryUpkeep({
    relieve: async () => {
      reliefs++;
      return [host(hostRss)];
    },
    stats: async () => [host(hostRss)],
    logger: pino({ level: 'silent' }),
    everyMs: 20,
    growthBytes: 200 * MB,
  });
  const waitFor = async (n: number) => {
    const until = Date.now() + 2000;
    while (reliefs < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    assert.equal(reliefs, 0, 'nothing at construction');
    upkeep.start();
    await waitFor(1);
    assert.equal(reliefs, 1, 'the first check relieves');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(reliefs, 1, 'no growth, no relief');
    hostRss += 400 * MB;
    await waitFor(2);
    assert.equal(reliefs, 2, 'growth past the threshold brings a relief');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(reliefs, 2, 'the new baseline is where the relief left it');
    await Promise.all([upkeep.relieve('one'), upkeep.relieve('same time')]);
    assert.equal(reliefs, 3, 'two calls at once share one relief');
  } finally {
    upkeep.stop();
  }
});

test('a check that finds events in the sandboxes waits for a quieter one', async () => {
  let queued = 5;
  let reliefs = 0;
  const upkeep = new MemoryUpkeep({
    relieve: async () => {
      reliefs++;
      return [];
    },
    stats: async () => [{ ...host(0), queued }],
    logger: pino({ level: 'silent' }),
    everyMs: 20,
  });
  try {
    upkeep.start();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(reliefs, 0, 'busy: no relief');
    queued = 0;
    const until = Date.now() + 2000;
    while (reliefs < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(reliefs, 1, 'quiet: the postponed relief runs');
  } finally {
    upkeep.stop();
  }
});

test('a failing relief is logged and does not throw', async () => {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const upkeep = new MemoryUpkeep({ relieve: () => Promise.reject(new Error('host gone')), stats: async () => [], logger });
  await upkeep.relieve('test');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /memory relief failed/);
});
