/**
 * A sandbox host process warms up on a throwaway event before it serves (ADR 012). Requests sent
 * the moment it starts are not lost: they wait and are handled in order once it is ready, and
 * nothing of the warm-up's plugin is left in the host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChildHostLink } from '../../src/sandbox/host-link.ts';
import type { FromHost } from '../../src/sandbox/sandbox-protocol.ts';

test('requests sent while a new host warms up are answered in order, and the warm-up leaves no plugin behind', { timeout: 15_000 }, async () => {
  const link = new ChildHostLink({ maxOldSpaceMb: 128 });
  try {
    const received: FromHost[] = [];
    let arrived: () => void = () => {};
    link.onMessage((message) => {
      received.push(message);
      if (received.length === 3) arrived();
    });
    const all = new Promise<void>((resolve) => (arrived = resolve));
    // Sent at once, before the host has even started: they reach it while it warms up.
    link.send({ t: 'ping', id: 1 });
    link.send({ t: 'stats', id: 2 });
    link.send({ t: 'ping', id: 3 });
    await all;
    assert.deepEqual(received.map((m) => [m.t, 'id' in m ? m.id : null]), [['pong', 1], ['stats', 2], ['pong', 3]]);
    const stats = received[1];
    assert.ok(stats?.t === 'stats');
    assert.deepEqual(stats.stats.heapBytesByPlugin, {}, 'no plugin is loaded after the warm-up');
    assert.equal(stats.stats.queued, 0);
  } finally {
    link.kill();
  }
});
