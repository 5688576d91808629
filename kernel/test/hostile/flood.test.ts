/**
 * Event floods: thousands of events into guild A for a plugin that is slow but legal (a few ms of
 * busy CPU per event). Guild A's events are processed in order and none is silently lost (each
 * dispatch resolves with an outcome, or with a `refused` reason once the guild's backlog is full),
 * while the healthy plugin keeps answering promptly in the other guilds, on the other host and on
 * the flooded host alike.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DispatchReport } from '@townesdev/kernel';
import {
  ECHO,
  GUILD_A,
  GUILD_B,
  GUILD_C,
  assertCollateralFree,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertRunnerClean,
  buildBundle,
  command,
  send,
  setup,
} from './support.ts';

const SLOW = '@hostile/slow';

/**
 * `spin <ms> <n>`: burns <ms> of CPU, then posts `<n>`, under the default 50 ms limit. The
 * timeout is wall time, so on a saturated machine a call can run past it; the sandbox then
 * checks the CPU really used and re-runs the call without blame (busy-machine.test.ts).
 */
const slowBundle = buildBundle({
  name: SLOW,
  permissions: ['discord.messages.send'],
  events: ['messageCreate'],
  limits: { cpuMsPerEvent: 50 },
  definition: `{
    events: {
      messageCreate(ctx, event) {
        const [word, ms, n] = event.content.split(' ');
        if (word !== 'spin') return;
        const until = Date.now() + Number(ms);
        while (Date.now() < until) {}
        ctx.discord.sendMessage(event.channelId, n);
      },
    },
  }`,
});

/** Ping the healthy plugin in `guildId` every `everyMs` until stopped; returns the latencies. */
function probe(kernel: Parameters<typeof command>[0], guildId: string, everyMs: number): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const outcome = await command(kernel, guildId, 'ping');
      assert.equal(outcome.reply?.content, `pong ${guildId}`, JSON.stringify(outcome));
      latencies.push(Date.now() - started);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

const contentOf = (r: DispatchReport, plugin: string): string | undefined => {
  const a = r.outcomes.find((o) => o.plugin === plugin)?.actions[0];
  return a?.type === 'sendMessage' ? a.message.content : undefined;
};

describe('event floods', () => {
  test('2000 slow events into guild A: all processed in order, other guilds answer within 1 s throughout', { timeout: 120_000 }, async () => {
    const t = await setup([slowBundle]);
    try {
      const COUNT = 2000;
      const probes = [probe(t.kernel, GUILD_B, 100), probe(t.kernel, GUILD_C, 100)];
      const started = Date.now();
      const reports = await Promise.all(Array.from({ length: COUNT }, (_, n) => send(t.kernel, GUILD_A, `spin 5 ${n}`)));
      const took = Date.now() - started;
      const [inB, inC] = await Promise.all(probes.map((p) => p.stop()));
      assert.ok(took >= COUNT * 5, `the flood took ${took} ms: the plugin did not really spin`);
      // Nothing lost, nothing refused, everything in order.
      assert.equal(reports.length, COUNT);
      for (const [n, r] of reports.entries()) {
        assert.equal(r.refused, undefined);
        const slow = r.outcomes.find((o) => o.plugin === SLOW);
        assert.equal(slow?.ok, true, `event ${n}: ${JSON.stringify(slow)}`);
        assert.equal(contentOf(r, SLOW), String(n));
        assert.equal(r.outcomes.find((o) => o.plugin === ECHO)?.ok, true, `echo, event ${n}: ${JSON.stringify(r)}`);
      }
      const performed = t.actions.actions.filter((e) => e.plugin === SLOW).map((e) => (e.action.type === 'sendMessage' ? e.action.message.content : ''));
      assert.deepEqual(performed, Array.from({ length: COUNT }, (_, n) => String(n)));
      // The other guilds were served promptly the whole time: B on the other host, C on the flooded one.
      for (const [guild, latencies] of [['B', inB], ['C', inC]] as const) {
        assert.ok((latencies?.length ?? 0) >= Math.floor(took / 1000), `guild ${guild} was probed only ${latencies?.length} times in ${took} ms`);
        const worst = Math.max(...(latencies ?? []));
        assert.ok(worst < 1000, `guild ${guild}'s healthy plugin took up to ${worst} ms during the flood`);
      }
      // Slow but legal: not a strike.
      assertNotQuarantined(t, SLOW);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });

  test('past the per-guild backlog, events are refused with a reason, never dropped silently', { timeout: 120_000 }, async () => {
    const t = await setup([slowBundle]);
    try {
      const COUNT = 10_500;
      const probeB = probe(t.kernel, GUILD_B, 100);
      const reports = await Promise.all(Array.from({ length: COUNT }, (_, n) => send(t.kernel, GUILD_A, `spin 0 ${n}`)));
      const latencies = await probeB.stop();
      const refused = reports.filter((r) => r.refused !== undefined);
      const delivered = reports.filter((r) => r.refused === undefined);
      assert.equal(refused.length + delivered.length, COUNT);
      assert.ok(refused.length > 0, 'nothing was refused');
      for (const r of refused) {
        assert.match(r.refused ?? '', /more than \d+ events are pending for this server/);
        assert.deepEqual(r.outcomes, []);
      }
      // Every delivered event ran, in order.
      let last = -1;
      for (const r of delivered) {
        assert.equal(r.outcomes.find((o) => o.plugin === SLOW)?.ok, true, JSON.stringify(r));
        const n = Number(contentOf(r, SLOW));
        assert.ok(n > last, `event ${n} ran after ${last}`);
        last = n;
      }
      assert.equal(t.actions.actions.filter((e) => e.plugin === SLOW).length, delivered.length);
      const worst = Math.max(...latencies);
      assert.ok(worst < 2000, `guild B's healthy plugin took up to ${worst} ms during the flood`);
      // The guild takes events again once its backlog drained.
      const after = await send(t.kernel, GUILD_A, 'spin 0 after');
      assert.equal(after.refused, undefined);
      assert.equal(contentOf(after, SLOW), 'after');
      assertNotQuarantined(t, SLOW);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});
