/**
 * Hostile plugins that try to exhaust resources: memory bombs (past a small `limits.memoryMb`),
 * deep recursion (a plain RangeError: an error, not a fault), storage past `limits.storageBytes`,
 * huge results and huge action payloads. Each is refused without disturbing the sandbox host or
 * the healthy plugin, and quarantined for the right reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHANNEL,
  ECHO,
  GUILD_A,
  assertCollateralFree,
  assertHealthy,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  GUILD_B,
  buildBundle,
  command,
  outcomeOf,
  send,
  setup,
} from './support.ts';

describe('memory bombs', () => {
  const BOMB = '@hostile/bomb';
  const bombBundle = buildBundle({
    name: BOMB,
    events: ['messageCreate'],
    // The smallest memory limit; enough CPU that the allocation, not the clock, stops it.
    limits: { memoryMb: 8, cpuMsPerEvent: 1000 },
    definition: `{
      events: {
        messageCreate(ctx, event) {
          const keep = [];
          if (event.content === 'arrays') for (;;) keep.push(new Array(1 << 16).fill(keep.length));
          if (event.content === 'objects') for (;;) { const b = []; for (let i = 0; i < 10000; i++) b.push({ i, s: 'v' + i }); keep.push(b); }
          // Flat strings (toUpperCase copies; 'repeat' alone builds a cheap rope).
          if (event.content === 'strings') for (let i = 0; ; i++) keep.push(('y'.repeat(1 << 20) + i).toUpperCase());
          if (event.content === 'one-huge-string') return 'x'.repeat(1 << 24).toUpperCase().length;
          if (event.content === 'json') for (;;) keep.push(JSON.stringify('x'.repeat(1 << 20)));
        },
      },
    }`,
  });

  for (const kinds of [['arrays', 'objects', 'arrays'], ['strings', 'one-huge-string', 'json']]) {
    test(`${kinds.join(', ')}: stopped at the memory limit, quarantined, the host survives`, { timeout: 30_000 }, async () => {
      const t = await setup([bombBundle]);
      try {
        const pids = t.kernel.sandboxPids;
        for (const [n, kind] of kinds.entries()) {
          const o = outcomeOf(await send(t.kernel, GUILD_A, kind), BOMB);
          assert.equal(o.ok, false);
          assert.equal(o.fault, 'memory-limit', `${kind}: ${JSON.stringify(o)}`);
          assert.match(o.error ?? '', /memory limit/);
          await assertHealthy(t.kernel, GUILD_B, 1000);
          if (n < 2) assertNotQuarantined(t, BOMB);
        }
        await assertQuarantined(t, BOMB, GUILD_A, 'memory-limit', /memory limit/);
        await assertHealthyEverywhere(t);
        // The isolate was disposed, not the process: the same hosts serve on.
        assert.deepEqual(t.kernel.sandboxPids, pids);
        const stats = await t.kernel.sandboxStats();
        for (const s of stats) assert.ok(s.rssBytes < 400 * 1024 * 1024, `host ${s.pid} holds ${s.rssBytes} bytes`);
        assertCollateralFree(t);
        assertRunnerClean();
      } finally {
        await t.close();
      }
    });
  }
});

describe('deep recursion', () => {
  const DEEP = '@hostile/deep';
  const deepBundle = buildBundle({
    name: DEEP,
    permissions: ['discord.messages.send'],
    events: ['messageCreate'],
    definition: `{
      events: {
        messageCreate(ctx, event) {
          if (event.content === 'recurse') { const f = (n) => f(n + 1) + 1; return f(0); }
          if (event.content === 'recurse-async') { const g = async (n) => g(n + 1); return g(0); }
          ctx.discord.sendMessage(event.channelId, 'fine');
        },
      },
    }`,
  });

  test('a stack overflow is an ordinary error: nothing is killed, 10 in a row quarantine it', { timeout: 30_000 }, async () => {
    const t = await setup([deepBundle]);
    try {
      const pids = t.kernel.sandboxPids;
      const overflow = async (kind: string): Promise<void> => {
        const o = outcomeOf(await send(t.kernel, GUILD_A, kind), DEEP);
        assert.equal(o.ok, false);
        assert.equal(o.fault, undefined, `a stack overflow became a fault: ${JSON.stringify(o)}`);
        assert.match(o.error ?? '', /RangeError: Maximum call stack size exceeded/);
      };
      // 9 errors, a success, 9 errors: never 10 in a row.
      for (let n = 0; n < 9; n++) await overflow(n % 2 ? 'recurse' : 'recurse-async');
      const behaved = outcomeOf(await send(t.kernel, GUILD_A, 'behave'), DEEP);
      assert.equal(behaved.ok, true, JSON.stringify(behaved));
      for (let n = 0; n < 9; n++) await overflow('recurse');
      assertNotQuarantined(t, DEEP);
      await assertHealthy(t.kernel, GUILD_B, 1000);
      await overflow('recurse');
      await assertQuarantined(t, DEEP, GUILD_A, 'repeated-errors', /Maximum call stack size exceeded/);
      await assertHealthyEverywhere(t);
      assert.deepEqual(t.kernel.sandboxPids, pids);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});

describe('storage quota exhaustion', () => {
  const HOARD = '@hostile/hoard';
  const QUOTA = 1024;
  const hoardBundle = buildBundle({
    name: HOARD,
    permissions: ['storage'],
    events: ['messageCreate'],
    limits: { storageBytes: QUOTA },
    definition: `{
      events: {
        async messageCreate(ctx, event) {
          const expectQuota = (e) => {
            if (!(e instanceof HostError) || e.code !== 'STORAGE_QUOTA') throw new Error('unexpected error: ' + e);
          };
          if (event.content === 'greedy') {
            // Keep writing, swallowing refusals: what fits is kept, the rest refused one by one.
            let refused = 0;
            for (let i = 0; i < 100; i++) {
              try { await ctx.storage.set('g' + i, 'x'.repeat(100)); } catch (e) { expectQuota(e); refused++; }
            }
            if (refused === 0) throw new Error('nothing was refused');
            return;
          }
          // One 400-byte value per event, under a new key; the refusal is not caught.
          try {
            await ctx.storage.set('k' + event.id, 'x'.repeat(400));
          } catch (e) {
            expectQuota(e);
            throw e;
          }
        },
      },
    }`,
  });

  test('a plugin that swallows its refusals keeps what fits and nothing more (no strike for handling it)', { timeout: 30_000 }, async () => {
    const t = await setup([hoardBundle]);
    try {
      const ns = { plugin: HOARD, guildId: GUILD_A };
      for (let n = 0; n < 3; n++) {
        const greedy = outcomeOf(await send(t.kernel, GUILD_A, 'greedy'), HOARD);
        assert.equal(greedy.ok, true, JSON.stringify(greedy));
        const used = await t.store.usage(ns);
        assert.ok(used > QUOTA - 110 && used <= QUOTA, `the store holds ${used} bytes (quota ${QUOTA})`);
      }
      assertNotQuarantined(t, HOARD);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
    } finally {
      await t.close();
    }
  });

  test('writes beyond the quota fail with STORAGE_QUOTA, the store never holds more, repeated -> quarantine', { timeout: 30_000 }, async () => {
    const t = await setup([hoardBundle]);
    try {
      const ns = { plugin: HOARD, guildId: GUILD_A };
      const results: Array<{ ok: boolean; error?: string }> = [];
      for (let n = 0; n < 5; n++) {
        results.push(outcomeOf(await send(t.kernel, GUILD_A, `write ${n}`), HOARD));
        const used = await t.store.usage(ns);
        assert.ok(used <= QUOTA, `after write ${n} the store holds ${used} bytes (quota ${QUOTA})`);
        if (n < 4) assertNotQuarantined(t, HOARD);
      }
      // 2 x ~420 bytes fit in 1024; the next 3 are refused and quarantine the plugin.
      assert.deepEqual(results.map((r) => r.ok), [true, true, false, false, false]);
      for (const r of results.slice(2)) assert.match(r.error ?? '', /^HostError: this write would use \d+ bytes of the 1024 this plugin may store per server$/);
      assert.equal((await t.store.list(ns, '', 100)).length, 2);
      await assertQuarantined(t, HOARD, GUILD_A, 'storage-quota', /1024/);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});

describe('huge results and payloads', () => {
  const HUGE = '@hostile/huge';
  const hugeBundle = buildBundle({
    name: HUGE,
    permissions: ['discord.messages.send'],
    events: ['messageCreate'],
    commands: ['huge', 'forged'],
    limits: { memoryMb: 128, cpuMsPerEvent: 500 },
    definition: `{
      events: {
        messageCreate(ctx, event) {
          if (event.content === 'big-result') return { blob: 'x'.repeat(10 * 1024 * 1024) };
        },
      },
      commands: {
        huge() { return 'x'.repeat(10 * 1024 * 1024); },
        // Tried to rewrite the runtime's collected results on their way out; the runtime no
        // longer serialises arrays or objects of its own, so this changes nothing.
        forged() {
          const big = JSON.stringify('y'.repeat(5 * 1024 * 1024));
          Array.prototype.toJSON = function () {
            delete Array.prototype.toJSON;
            const out = [];
            for (const row of this) out.push([row[0], 1, big]);
            return out;
          };
          return 'small';
        },
      },
    }`,
  });

  test('a 10 MB command result is refused with RESULT_TOO_LARGE, no huge data crosses, quarantined; forging the runtime\'s results changes nothing', { timeout: 30_000 }, async () => {
    const t = await setup([hugeBundle]);
    try {
      const forged = await command(t.kernel, GUILD_A, 'forged');
      assert.equal(forged.ok, true, JSON.stringify(forged).slice(0, 300));
      assert.deepEqual(forged.reply, { content: 'small' });
      const outcomes = [await command(t.kernel, GUILD_A, 'huge'), outcomeOf(await send(t.kernel, GUILD_A, 'big-result'), HUGE), await command(t.kernel, GUILD_A, 'huge')];
      for (const o of outcomes) {
        assert.equal(o.ok, false);
        assert.match(o.error ?? '', /^HostError: result of \d+ characters exceeds 65536$/, JSON.stringify(o).slice(0, 300));
        assert.ok(JSON.stringify(o).length < 1000);
      }
      // Nothing near the size of the result came back from the sandbox hosts.
      assert.ok(t.largestHostMessage < 100_000, `a ${t.largestHostMessage}-character message crossed from a sandbox host`);
      await assertQuarantined(t, HUGE, GUILD_A, 'invalid-result', /65536/);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });

  const FLOODER = '@hostile/big-actions';
  const actionsBundle = buildBundle({
    name: FLOODER,
    permissions: ['discord.messages.send'],
    events: ['messageCreate'],
    limits: { memoryMb: 128, cpuMsPerEvent: 500, actionsPerEvent: 10 },
    definition: `{
      events: {
        messageCreate(ctx, event) {
          const expect = (code, fn) => {
            try { fn(); } catch (e) { if (e instanceof HostError && e.code === code) return e; throw new Error('expected ' + code + ', got ' + e); }
            throw new Error('expected ' + code + ', the call was accepted');
          };
          if (event.content === 'many') {
            // Within the limit, then refused one by one; the 10 accepted ones are legitimate.
            for (let i = 0; i < 10; i++) ctx.discord.sendMessage(event.channelId, 'n' + i);
            for (let i = 0; i < 1000; i++) expect('ACTION_LIMIT', () => ctx.discord.sendMessage(event.channelId, 'more'));
            return;
          }
          // A 10 MB message body, then a body one character over Discord's limit: both refused.
          const big = expect('INVALID_ARGUMENT', () => ctx.discord.sendMessage(event.channelId, 'x'.repeat(10 * 1024 * 1024)));
          expect('INVALID_ARGUMENT', () => ctx.discord.sendMessage(event.channelId, 'x'.repeat(2001)));
          throw big;
        },
      },
    }`,
  });

  test('huge action payloads are refused in the sandbox host; only what is allowed is performed', { timeout: 30_000 }, async () => {
    const t = await setup([actionsBundle]);
    try {
      const many = outcomeOf(await send(t.kernel, GUILD_A, 'many'), FLOODER);
      assert.equal(many.ok, true, JSON.stringify(many));
      assert.equal(many.actions.length, 10);
      for (let n = 0; n < 10; n++) {
        const o = outcomeOf(await send(t.kernel, GUILD_A, 'huge'), FLOODER);
        assert.equal(o.ok, false);
        assert.match(o.error ?? '', /^HostError: action arguments are too large$/, JSON.stringify(o).slice(0, 300));
        assert.deepEqual(o.actions, []);
      }
      const performed = t.actions.actions.filter((e) => e.plugin === FLOODER);
      assert.equal(performed.length, 10);
      assert.ok(performed.every((e) => e.action.type === 'sendMessage' && e.action.channelId === CHANNEL && /^n\d$/.test(e.action.message.content ?? '')));
      assert.ok(t.largestHostMessage < 100_000, `a ${t.largestHostMessage}-character message crossed from a sandbox host`);
      await assertQuarantined(t, FLOODER, GUILD_A, 'repeated-errors', /too large/);
      await assertHealthyEverywhere(t);
      assert.equal(t.actions.actions.some((e) => e.plugin === ECHO && e.action.type === 'sendMessage' && (e.action.message.content ?? '').length > 100), false);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});
