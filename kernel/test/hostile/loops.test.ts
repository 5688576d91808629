/**
 * Hostile plugins that never give the CPU back: endless loops (sync, in promise chains, in
 * microtasks, after an await; Atomics.wait does not exist there) and promises that never settle. Each one is cut off
 * by the per-call CPU limit (or failed as unsettled), quarantined after 3 strikes in its guild,
 * and the healthy plugin keeps answering in every guild, including on the same host.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHANNEL,
  ECHO,
  GUILD_A,
  GUILD_B,
  GUILD_C,
  assertCollateralFree,
  assertHealthy,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  buildBundle,
  outcomeOf,
  send,
  setup,
} from './support.ts';

const SPIN = '@hostile/spin';

/** A plugin whose message handler loops in the way the message's content names; `ok <text>` behaves. */
const spinBundle = buildBundle({
  name: SPIN,
  permissions: ['discord.messages.send'],
  events: ['messageCreate'],
  limits: { cpuMsPerEvent: 50 },
  definition: `{
    events: {
      messageCreate(ctx, event) {
        const kind = event.content;
        if (kind.startsWith('ok ')) { ctx.discord.sendMessage(event.channelId, kind.slice(3)); return; }
        if (kind === 'sync') { while (true) {} }
        if (kind === 'then-chain') {
          return Promise.resolve(0).then(function step(n) { return Promise.resolve(n + 1).then(step); });
        }
        if (kind === 'microtasks') {
          // queueMicrotask is not part of a bare isolate; fall back to promise jobs when it is missing.
          const q = typeof queueMicrotask === 'function' ? queueMicrotask : (f) => { Promise.resolve().then(f); };
          q(function again() { q(again); });
          return Promise.resolve().then(function f() { return Promise.resolve().then(f); });
        }
        if (kind === 'async') {
          return (async () => { await null; await Promise.resolve(); for (;;) {} })();
        }
        if (kind === 'atomics-wait') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
          return;
        }
        throw new Error('unknown kind ' + kind);
      },
    },
  }`,
});

describe('endless loops', () => {
  test('atomics-wait: there is no Atomics to sleep on (a timeout without CPU would look like a busy machine)', { timeout: 30_000 }, async () => {
    const t = await setup([spinBundle]);
    try {
      const started = Date.now();
      const o = outcomeOf(await send(t.kernel, GUILD_A, 'atomics-wait'), SPIN);
      assert.equal(o.ok, false);
      assert.equal(o.fault, undefined, JSON.stringify(o));
      assert.match(o.error ?? '', /Atomics is not defined/);
      assert.ok(Date.now() - started < 1000);
      await assertHealthyEverywhere(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });

  for (const kind of ['sync', 'then-chain', 'microtasks', 'async']) {
    test(`${kind}: cut off by the CPU limit, quarantined after 3, the healthy plugin unaffected`, { timeout: 30_000 }, async () => {
      const t = await setup([spinBundle]);
      try {
        const pids = t.kernel.sandboxPids;
        for (let n = 1; n <= 3; n++) {
          const started = Date.now();
          const report = await send(t.kernel, GUILD_A, kind);
          const took = Date.now() - started;
          const o = outcomeOf(report, SPIN);
          assert.equal(o.ok, false);
          assert.equal(o.fault, 'cpu-limit', `attempt ${n}: ${JSON.stringify(o)}`);
          assert.match(o.error ?? '', /CPU time limit/);
          assert.deepEqual(o.actions, []);
          // 50 ms of CPU, not seconds: the loop was stopped, not waited out.
          assert.ok(took < 1500, `the looping event took ${took} ms`);
          // The healthy plugin beside it in the same event still ran.
          assert.equal(outcomeOf(report, ECHO).ok, true, `echo beside the loop: ${JSON.stringify(report)}`);
          await assertHealthy(t.kernel, GUILD_B, 1000);
          await assertHealthy(t.kernel, GUILD_C, 1000);
          if (n < 3) assertNotQuarantined(t, SPIN);
        }
        await assertQuarantined(t, SPIN, GUILD_A, 'cpu-limit', /CPU time limit/);
        await assertHealthyEverywhere(t);
        assert.deepEqual(t.kernel.sandboxPids, pids, 'a sandbox host was replaced');
        assertCollateralFree(t);
        assertRunnerClean();
      } finally {
        await t.close();
      }
    });
  }

  test('a loop in one guild is blamed on that guild only, even when it shared a call with another guild', { timeout: 30_000 }, async () => {
    // The plugin runs in A and C, which share a host and the plugin's isolate: their events are
    // batched into one call, so the fault has suspects to sort out.
    const t = await setup([spinBundle], { hostileGuilds: [GUILD_A, GUILD_C] });
    try {
      for (let n = 1; n <= 3; n++) {
        const [inA, inC] = await Promise.all([send(t.kernel, GUILD_A, 'sync'), send(t.kernel, GUILD_C, `ok innocent ${n}`)]);
        assert.equal(outcomeOf(inA, SPIN).fault, 'cpu-limit');
        const c = outcomeOf(inC, SPIN);
        assert.equal(c.ok, true, `the innocent guild's event failed: ${JSON.stringify(c)}`);
        assert.deepEqual(c.actions, [{ type: 'sendMessage', channelId: CHANNEL, message: { content: `innocent ${n}` } }]);
      }
      await assertQuarantined(t, SPIN, GUILD_A, 'cpu-limit');
      assertNotQuarantined(t, SPIN, GUILD_C);
      assert.equal(t.kernel.quarantines().some((q) => q.guildId === null), false, 'quarantined everywhere after one guild');
      // Still serving C.
      const after = outcomeOf(await send(t.kernel, GUILD_C, 'ok still serving'), SPIN);
      assert.equal(after.ok, true, JSON.stringify(after));
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
    } finally {
      await t.close();
    }
  });
});

const READER = '@hostile/reader';

/** Handlers that keep calling storage (answered from the sandbox host's cache), with or without work between. */
const readerBundle = buildBundle({
  name: READER,
  permissions: ['discord.messages.send', 'storage'],
  events: ['messageCreate'],
  limits: { cpuMsPerEvent: 20 },
  definition: `{
    events: {
      async messageCreate(ctx, event) {
        await ctx.storage.set('k', 1);
        if (event.content === 'reads') for (;;) await ctx.storage.get('k');
        if (event.content === 'work-between-reads') {
          for (;;) {
            const until = Date.now() + 15;
            while (Date.now() < until) {}
            await ctx.storage.get('k');
          }
        }
        ctx.discord.sendMessage(event.channelId, event.content);
      },
    },
  }`,
});

describe('endless storage calls', () => {
  for (const kind of ['reads', 'work-between-reads']) {
    test(`${kind}: stopped as over its CPU time, quarantined after 3, the healthy plugin unaffected`, { timeout: 60_000 }, async () => {
      const t = await setup([readerBundle]);
      try {
        for (let n = 1; n <= 3; n++) {
          const report = await send(t.kernel, GUILD_A, kind);
          const o = outcomeOf(report, READER);
          assert.equal(o.ok, false);
          assert.equal(o.fault, 'cpu-limit', `attempt ${n}: ${JSON.stringify(o)}`);
          assert.match(o.error ?? '', /CPU time limit/);
          assert.equal(outcomeOf(report, ECHO).ok, true);
          await assertHealthy(t.kernel, GUILD_B, 1000);
          if (n < 3) assertNotQuarantined(t, READER);
        }
        await assertQuarantined(t, READER, GUILD_A, 'cpu-limit');
        await assertHealthyEverywhere(t);
        assertCollateralFree(t);
        assertRunnerClean();
      } finally {
        await t.close();
      }
    });
  }
});

const HANG = '@hostile/hang';

/** A plugin whose handler, for `hang…` messages, returns a promise that never settles. */
const hangBundle = buildBundle({
  name: HANG,
  permissions: ['discord.messages.send', 'storage'],
  events: ['messageCreate'],
  definition: `{
    events: {
      async messageCreate(ctx, event) {
        if (event.content === 'hang') return new Promise(() => {});
        if (event.content === 'hang-after-storage') {
          await ctx.storage.get('anything');
          await new Promise(() => {});
        }
        ctx.discord.sendMessage(event.channelId, event.content);
      },
    },
  }`,
});

describe('promises that never settle', () => {
  test('failed as unsettled promptly, the guild\'s next events still run in order, quarantined after 3', { timeout: 30_000 }, async () => {
    const t = await setup([hangBundle]);
    try {
      const contents = ['echo m1', 'hang', 'echo m2', 'hang-after-storage', 'echo m3', 'hang', 'echo m4'];
      const started = Date.now();
      // All dispatched at once: the guild's queue must not stall behind a hanging handler.
      const reports = await Promise.all(contents.map((c) => send(t.kernel, GUILD_A, c)));
      const took = Date.now() - started;
      assert.ok(took < 3000, `the guild's events took ${took} ms`);
      const outcomes = reports.map((r) => r.outcomes.find((o) => o.plugin === HANG));
      for (const [i, c] of contents.entries()) {
        const o = outcomes[i];
        if (c.startsWith('hang')) {
          assert.equal(o?.ok, false);
          assert.equal(o?.fault, 'unsettled', `${c}: ${JSON.stringify(o)}`);
          assert.match(o?.error ?? '', /never settles/);
        } else if (i < 6) {
          assert.equal(o?.ok, true, `${c}: ${JSON.stringify(o)}`);
        }
      }
      // The plugin's own messages went out in dispatch order (the last one may have arrived after the quarantine).
      const mine = t.actions.actions.filter((e) => e.plugin === HANG).map((e) => (e.action.type === 'sendMessage' ? e.action.message.content : ''));
      assert.deepEqual(mine.slice(0, 3), ['echo m1', 'echo m2', 'echo m3']);
      // So did the healthy plugin's, beside it in the same guild.
      const echoed = t.actions.actions.filter((e) => e.plugin === ECHO && e.guildId === GUILD_A).map((e) => (e.action.type === 'sendMessage' ? e.action.message.content : ''));
      assert.deepEqual(echoed, ['m1', 'm2', 'm3', 'm4']);
      await assertQuarantined(t, HANG, GUILD_A, 'cpu-limit', /never settles/);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});
