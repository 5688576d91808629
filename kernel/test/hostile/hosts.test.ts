/**
 * Sandbox host processes that die or hang under load. The runner (this test process) survives;
 * the pool replaces the host, reloads its plugins and delivers the in-flight events again, so
 * they complete (in order); the healthy plugin answers again within a few seconds and, in guilds
 * served by the other host, never stops answering; an incident 'host-replaced' is recorded. An
 * event that kills its host every time it runs is dead-lettered once it kills it running alone, and a plugin
 * whose events keep doing that is quarantined ('host-crash').
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DispatchReport } from '@townesdev/kernel';
import {
  ECHO,
  GUILD_A,
  GUILD_B,
  GUILD_C,
  alive,
  assertHealthy,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  buildBundle,
  send,
  setup,
  waitFor,
  type TestKernel,
} from './support.ts';

const SLOW = '@hostile/slow-host';

/**
 * `spin <ms> <n>`: burns <ms> of CPU, then posts `<n>`. `long <n>`: a second of work in 20 ms
 * slices, each after a storage read, so its host keeps answering the runner while it runs (the
 * reads wait for the store only in a namespace that holds data: see `seedSlowData`).
 */
const slowBundle = buildBundle({
  name: SLOW,
  permissions: ['discord.messages.send', 'storage'],
  events: ['messageCreate'],
  limits: { cpuMsPerEvent: 1000 },
  definition: `{
    events: {
      async messageCreate(ctx, event) {
        const [word, ms, n] = event.content.split(' ');
        const spin = (ms) => { const until = Date.now() + ms; while (Date.now() < until) {} };
        if (word === 'long') {
          for (let i = 0; i < 50; i++) { await ctx.storage.get('slice-' + i); spin(20); }
          ctx.discord.sendMessage(event.channelId, ms);
          return;
        }
        if (word !== 'spin') return;
        spin(Number(ms));
        ctx.discord.sendMessage(event.channelId, n);
      },
    },
  }`,
});

/** Give the slow plugin data in a guild, so keys its host has not seen are read from the store. */
async function seedSlowData(t: TestKernel, guildId: string): Promise<void> {
  await t.store.commit([{ plugin: SLOW, guildId, writes: [{ key: 'seed', value: '1' }] }]);
}

/**
 * The index (in kernel.sandboxPids) of the host that serves a guild, found by watching which
 * host's queue fills while the guild has work, not by knowing the pool's placement rule.
 */
async function hostServing(t: TestKernel, guildId: string): Promise<number> {
  const work = Array.from({ length: 20 }, (_, n) => send(t.kernel, guildId, `spin 20 probe-${n}`));
  let index = -1;
  await waitFor(async () => {
    const stats = await t.kernel.sandboxStats();
    const busy = stats.map((s, i) => (s.queued > 0 ? i : -1)).filter((i) => i >= 0);
    if (busy.length === 1) index = busy[0] ?? -1;
    return index >= 0;
  }, 5000, `a busy host for guild ${guildId}`);
  await Promise.all(work);
  return index;
}

const posted = (t: TestKernel, guildId: string): string[] =>
  t.actions.actions.filter((e) => e.plugin === SLOW && e.guildId === guildId).map((e) => (e.action.type === 'sendMessage' ? e.action.message.content ?? '' : ''));

/** Dispatch `count` events of `ms` each into the guild; resolves every report, counts the settled ones. */
function flood(t: TestKernel, guildId: string, count: number, ms: number): { all: Promise<DispatchReport[]>; settled(): number } {
  let settled = 0;
  const all = Promise.all(
    Array.from({ length: count }, (_, n) =>
      send(t.kernel, guildId, `spin ${ms} ${n}`).then((r) => {
        settled++;
        return r;
      }),
    ),
  );
  return { all, settled: () => settled };
}

function assertAllCompleted(reports: DispatchReport[], count: number): void {
  assert.equal(reports.length, count);
  for (const [n, r] of reports.entries()) {
    const o = r.outcomes.find((x) => x.plugin === SLOW);
    assert.equal(o?.ok, true, `event ${n}: ${JSON.stringify(o)}`);
    assert.equal(r.outcomes.find((x) => x.plugin === ECHO)?.ok, true, `echo, event ${n}`);
  }
}

describe('a sandbox host that dies', () => {
  test('SIGKILL while events are in flight: retried and completed in order, healthy again within seconds, incident recorded', { timeout: 60_000 }, async () => {
    const t = await setup([slowBundle], { hostileGuilds: [GUILD_A, GUILD_B, GUILD_C] });
    try {
      const victimIndex = await hostServing(t, GUILD_A);
      const others = [GUILD_B, GUILD_C];
      const spared: string[] = [];
      for (const g of others) if ((await hostServing(t, g)) !== victimIndex) spared.push(g);
      const victim = t.kernel.sandboxPids[victimIndex] ?? -1;
      t.actions.actions.length = 0;

      const COUNT = 100;
      const work = flood(t, GUILD_A, COUNT, 20);
      await waitFor(() => work.settled() >= 10, 10_000, 'the first events to complete');
      assert.ok(work.settled() < COUNT - 20, 'the events finished before the host could be killed');
      process.kill(victim, 'SIGKILL');
      const killedAt = Date.now();

      // Guilds on the surviving host do not notice; the others are served again within seconds.
      for (const g of spared) await assertHealthy(t.kernel, g, 1000);
      const reports = await work.all;
      assertAllCompleted(reports, COUNT);
      // Each event's message exactly once, in dispatch order: the in-flight ones were delivered again.
      assert.deepEqual(posted(t, GUILD_A), Array.from({ length: COUNT }, (_, n) => String(n)));
      await assertHealthy(t.kernel, GUILD_A, 5000);
      assert.ok(Date.now() - killedAt < 15_000);

      assert.equal(alive(victim), false);
      assert.notEqual(t.kernel.sandboxPids[victimIndex], victim, 'the dead host was not replaced');
      assert.ok(alive(t.kernel.sandboxPids[victimIndex] ?? -1));
      const replaced = t.incidents.filter((i) => i.kind === 'host-replaced');
      assert.equal(replaced.length, 1, JSON.stringify(replaced));
      assert.match(replaced[0]?.message ?? '', new RegExp(`^sandbox host ${victimIndex} killed by SIGKILL; [1-9]\\d* items retried, 0 dead-lettered$`));
      // A host killed from outside is nobody's fault: no strike for the plugins it ran.
      assertNotQuarantined(t, SLOW);
      assertNotQuarantined(t, ECHO);
      await assertHealthyEverywhere(t, 5000);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });

  test('an event that kills its host every time is dead-lettered once it kills it running alone; repeated -> quarantine', { timeout: 90_000 }, async () => {
    const t = await setup([slowBundle]);
    try {
      await seedSlowData(t, GUILD_A);
      const index = await hostServing(t, GUILD_A);
      const outcomes = [];
      for (let round = 1; round <= 3; round++) {
        // A long event; whichever host runs it is killed while it runs (a V8 crash, say).
        const poison = send(t.kernel, GUILD_A, `long poison-${round}`);
        let done = false;
        void poison.then(() => (done = true));
        const killed = new Set<number>();
        while (!done) {
          const pid = t.kernel.sandboxPids[index] ?? -1;
          if (!killed.has(pid)) {
            const stats = await t.kernel.sandboxStats().catch(() => []);
            if ((stats[index]?.queued ?? 0) > 0 && stats[index]?.pid === pid) {
              process.kill(pid, 'SIGKILL');
              killed.add(pid);
            }
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(killed.size, 2, `round ${round}: the host was killed ${killed.size} times`);
        const o = (await poison).outcomes.find((x) => x.plugin === SLOW);
        assert.equal(o?.ok, false);
        assert.equal(o?.fault, 'isolate-crash');
        assert.match(o?.error ?? '', /^SandboxFault: the sandbox host died each time it ran this item, the last time with nothing else running \(killed by SIGKILL\)$/);
        outcomes.push(o);
        if (round < 3) assertNotQuarantined(t, SLOW);
      }
      await assertQuarantined(t, SLOW, GUILD_A, 'host-crash', /died each time it ran this item/);
      const replaced = t.incidents.filter((i) => i.kind === 'host-replaced');
      assert.equal(replaced.length, 6);
      assert.equal(replaced.filter((i) => /1 dead-lettered$/.test(i.message)).length, 3);
      assert.equal(t.incidents.filter((i) => i.kind === 'dead-letter').length, 3);
      await assertHealthyEverywhere(t, 5000);
      assertNotQuarantined(t, ECHO);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});

describe('a sandbox host that hangs', () => {
  test('SIGSTOP: detected by heartbeats, replaced, in-flight events completed, other hosts unaffected', { timeout: 60_000 }, async () => {
    const t = await setup([slowBundle], { hostileGuilds: [GUILD_A, GUILD_B, GUILD_C] });
    let stopped = -1;
    try {
      const victimIndex = await hostServing(t, GUILD_A);
      const spared: string[] = [];
      for (const g of [GUILD_B, GUILD_C]) if ((await hostServing(t, g)) !== victimIndex) spared.push(g);
      const victim = t.kernel.sandboxPids[victimIndex] ?? -1;
      t.actions.actions.length = 0;

      const COUNT = 40;
      const work = flood(t, GUILD_A, COUNT, 20);
      await waitFor(() => work.settled() >= 5, 10_000, 'the first events to complete');
      process.kill(victim, 'SIGSTOP');
      stopped = victim;
      const stoppedAt = Date.now();

      // While it hangs, guilds served by the other host answer at once.
      for (const g of spared) await assertHealthy(t.kernel, g, 1000);
      // The pool pings every second and gives up after five without an answer.
      await waitFor(() => t.incidents.some((i) => i.kind === 'host-replaced'), 15_000, 'the hung host to be replaced');
      const detectedAfter = Date.now() - stoppedAt;
      assert.ok(detectedAfter >= 4000 && detectedAfter < 12_000, `the hang was detected after ${detectedAfter} ms`);
      const reports = await work.all;
      assertAllCompleted(reports, COUNT);
      assert.deepEqual(posted(t, GUILD_A), Array.from({ length: COUNT }, (_, n) => String(n)));
      await assertHealthy(t.kernel, GUILD_A, 3000);

      assert.equal(alive(victim), false, 'the hung host was left running');
      stopped = -1;
      assert.notEqual(t.kernel.sandboxPids[victimIndex], victim);
      const replaced = t.incidents.filter((i) => i.kind === 'host-replaced');
      assert.equal(replaced.length, 1);
      assert.match(replaced[0]?.message ?? '', new RegExp(`^sandbox host ${victimIndex} killed by SIGKILL; [1-9]\\d* items retried, 0 dead-lettered$`));
      assertNotQuarantined(t, SLOW);
      assertNotQuarantined(t, ECHO);
      await assertHealthyEverywhere(t, 5000);
      assertRunnerClean();
    } finally {
      if (stopped > 0 && alive(stopped)) process.kill(stopped, 'SIGKILL');
      await t.close();
    }
  });
});
