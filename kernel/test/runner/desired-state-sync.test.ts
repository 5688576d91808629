/**
 * DesiredStateSync over an in-memory source and a recording kernel: full sync with prefetch,
 * disabled plugins left out, guilds gone from the list emptied, one guild re-read per notice,
 * notices coalesced, shards filtered.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { shardForGuild } from '@townesdev/sdk/simulator';
import type { PluginInstall } from '../../src/index.ts';
import { DesiredStateSync, shardOf, parseShardList, type DesiredPlugin } from '../../src/runner/index.ts';

const logger = pino({ level: 'silent' });
const G1 = '100000000000000001';
const G2 = '200000000000000002';
const p = (plugin: string, enabled = true): DesiredPlugin => ({ plugin, version: '1.0.0', enabled, config: { a: 1 }, grants: ['storage'] });

function world(state: Map<string, DesiredPlugin[]>) {
  const applied: Array<{ guildId: string; installs: readonly PluginInstall[] }> = [];
  const reads: string[] = [];
  const prefetched: string[] = [];
  let slow: Promise<void> | null = null;
  const sync = new DesiredStateSync({
    kernel: {
      applyGuild: async (guildId, installs) => {
        applied.push({ guildId, installs });
        return [];
      },
    },
    source: {
      guilds: async () => [...state.keys()],
      desiredState: async (guildId) => {
        reads.push(guildId);
        if (slow) await slow;
        return { plugins: state.get(guildId) ?? [] };
      },
    },
    prefetch: async (refs) => void prefetched.push(...refs.map((r) => `${r.name}@${r.version}`)),
    logger,
  });
  return { sync, applied, reads, prefetched, hold: (p: Promise<void> | null) => void (slow = p) };
}

describe('runner: desired state sync', () => {
  test('a full sync prefetches every enabled bundle once and applies every guild, without disabled plugins', async () => {
    const state = new Map([[G1, [p('@a/x'), p('@a/y', false)]], [G2, [p('@a/x')]]]);
    const w = world(state);
    assert.deepEqual(await w.sync.syncAll(), []);
    assert.deepEqual(w.prefetched, ['@a/x@1.0.0']);
    assert.deepEqual(w.applied.map((a) => [a.guildId, a.installs.map((i) => i.plugin)]).sort(), [[G1, ['@a/x']], [G2, ['@a/x']]]);
    assert.deepEqual(w.applied[0]?.installs[0], { plugin: '@a/x', version: '1.0.0', config: { a: 1 }, grants: ['storage'] });
    // G2 uninstalled everything: it leaves the list, and the next full sync empties it
    state.delete(G2);
    w.applied.length = 0;
    await w.sync.syncAll();
    assert.deepEqual(w.applied.find((a) => a.guildId === G2)?.installs, []);
    assert.deepEqual([...w.sync.guilds], [G1]);
  });

  test('a notice re-reads that guild only; notices during a read are coalesced into one more', async () => {
    const state = new Map([[G1, [p('@a/x')]], [G2, [p('@a/x')]]]);
    const w = world(state);
    await w.sync.syncAll();
    w.reads.length = 0;
    let release!: () => void;
    w.hold(new Promise<void>((r) => (release = r)));
    const first = w.sync.syncGuild(G1);
    void w.sync.syncGuild(G1);
    void w.sync.syncGuild(G1);
    w.hold(null);
    release();
    await first;
    await w.sync.idle();
    assert.deepEqual(w.reads, [G1, G1]);
  });

  test('a runner of some shards loads only their guilds', () => {
    // against the simulator's own implementation of Discord's rule
    for (const id of ['81384788765712384', '175928847299117063', G1, G2]) for (const count of [1, 2, 4, 7]) assert.equal(shardOf(id, count), shardForGuild(id, count));
    assert.deepEqual(parseShardList('0-1,3', 4), [0, 1, 3]);
    assert.throws(() => parseShardList('4', 4), /does not exist/);
    assert.throws(() => parseShardList('x', 4), /not a shard id/);
  });
});
