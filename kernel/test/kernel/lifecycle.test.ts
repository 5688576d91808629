import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EnableError, MemoryPluginStore, PluginLoadError } from '../../src/index.ts';
import type { TestKernel } from '../support/test-kernel.ts';
import { CHANNEL, GUILD_A, GUILD_B, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

const base = {
  name: '@test/counter',
  permissions: ['storage', 'discord.messages.send'] as Array<'storage' | 'discord.messages.send'>,
  events: ['messageCreate'] as Array<'messageCreate'>,
  discord: MESSAGE_INTENTS,
  config: { prefix: { type: 'string' as const, default: '#' } },
  commands: [{ name: 'count', description: 'How many messages' }],
};

// v1 keeps its count under "count"; v2 renames it to "counter" with a migration (and back on rollback).
const v1 = inlineBundle({ ...base, permissions: [...base.permissions], events: [...base.events], migrations: [{ id: '001-init' }] }, `{
  events: { async messageCreate(ctx, m) {
    const n = ((await ctx.storage.get('count')) ?? 0) + 1;
    await ctx.storage.set('count', n);
    ctx.discord.sendMessage(m.channelId, ctx.config.prefix + n + ' v1');
  } },
  commands: { async count(ctx) { return 'count ' + ((await ctx.storage.get('count')) ?? 0); } },
  migrations: { '001-init': { async up(ctx) { await ctx.storage.set('schema', 1); }, async down(ctx) { await ctx.storage.delete('schema'); } } },
}`);
const v2 = inlineBundle({ ...base, version: '2.0.0', permissions: [...base.permissions], events: [...base.events], migrations: [{ id: '001-init' }, { id: '002-rename' }] }, `{
  events: { async messageCreate(ctx, m) {
    const n = ((await ctx.storage.get('counter')) ?? 0) + 1;
    await ctx.storage.set('counter', n);
    ctx.discord.sendMessage(m.channelId, ctx.config.prefix + n + ' v2');
  } },
  commands: { async count(ctx) { return 'counter ' + ((await ctx.storage.get('counter')) ?? 0); } },
  migrations: {
    '001-init': { async up(ctx) { await ctx.storage.set('schema', 1); }, async down(ctx) { await ctx.storage.delete('schema'); } },
    '002-rename': {
      async up(ctx) { const n = await ctx.storage.get('count'); if (n !== undefined) { await ctx.storage.set('counter', n); await ctx.storage.delete('count'); } },
      async down(ctx) { const n = await ctx.storage.get('counter'); if (n !== undefined) { await ctx.storage.set('count', n); await ctx.storage.delete('counter'); } },
    },
  },
}`);
const clashing = inlineBundle({ name: '@test/other', commands: [{ name: 'count', description: 'Also counts' }] }, `{ commands: { count() { return 'mine'; } } }`);
const grants = ['storage', 'discord.messages.send'];
const lastText = (t: TestKernel): string | undefined => {
  const a = t.sink.actions.at(-1)?.action;
  return a?.type === 'sendMessage' ? a.message.content : undefined;
};

for (const hosts of [0, 1]) {
  describe(`guild lifecycle (${hosts === 0 ? 'in-process' : 'sandbox host process'})`, () => {
    let t: TestKernel;
    before(async () => {
      t = await startTestKernel([v1, v2, clashing], { hosts });
    });
    after(() => t.kernel.shutdown(2000));

    test('enable refuses a grant that does not cover the manifest, naming what is missing', async () => {
      await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants: ['storage'] }), (e: unknown) => {
        assert.ok(e instanceof EnableError);
        assert.equal(e.code, 'GRANT_MISSING');
        assert.deepEqual(e.problems, ['discord.messages.send']);
        return true;
      });
      assert.equal(t.kernel.enabled(GUILD_A).length, 0);
    });

    test('enable refuses an invalid config and lists every problem', async () => {
      await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: { prefix: 5, extra: true }, grants }), (e: unknown) => {
        assert.ok(e instanceof EnableError);
        assert.equal(e.code, 'INVALID_CONFIG');
        assert.equal(e.problems.length, 2, e.message);
        return true;
      });
    });

    test('an unknown version is refused', async () => {
      await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '9.9.9', config: {}, grants }), /not available/);
    });

    test('enable, dispatch, reconfigure and disable at run time', async () => {
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
      const r = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi'), 'e1');
      assert.equal(r.outcomes.length, 1);
      assert.ok(r.outcomes[0]?.ok, r.outcomes[0]?.error);
      assert.equal(lastText(t), '#1 v1');
      await t.kernel.configure(GUILD_A, '@test/counter', { prefix: '>' });
      await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', 1), 'e2');
      assert.equal(lastText(t), '>2 v1');
      // Another guild is untouched by A's plugins.
      assert.equal((await t.kernel.dispatch(GUILD_B, 'messageCreate', message(GUILD_B, 'hi'), 'e3')).outcomes.length, 0);
      assert.equal(await t.kernel.disable(GUILD_A, '@test/counter'), true);
      assert.equal((await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', 2), 'e4')).outcomes.length, 0);
      assert.equal(await t.kernel.disable(GUILD_A, '@test/counter'), false);
    });

    test('migrations run once per guild: the ledger makes a second enable a no-op', async () => {
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
      const ns = { plugin: '@test/counter', guildId: GUILD_A };
      assert.deepEqual(await t.store.appliedMigrations(ns), ['001-init']);
      assert.equal((await t.store.get(ns, ['schema'])).get('schema'), '1');
      await t.store.commit([{ ...ns, writes: [{ key: 'schema', value: '"touched"' }] }]);
      await t.kernel.disable(GUILD_A, '@test/counter');
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
      assert.equal((await t.store.get(ns, ['schema'])).get('schema'), '"touched"', 'the up step did not run again');
    });

    test('upgrade without restart runs the new migration; rollback runs its down', async () => {
      const ns = { plugin: '@test/counter', guildId: GUILD_A };
      const before = Number((await t.store.get(ns, ['count'])).get('count'));
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '2.0.0', config: {}, grants });
      assert.deepEqual(await t.store.appliedMigrations(ns), ['001-init', '002-rename']);
      assert.equal((await t.store.get(ns, ['count'])).has('count'), false);
      await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', 5), 'e5');
      assert.equal(lastText(t), `#${before + 1} v2`);
      assert.deepEqual((await t.kernel.command({ id: '1', guildId: GUILD_A, channelId: CHANNEL, user: { id: '444444444444444444', username: 'a', globalName: null, bot: false }, memberRoles: [], commandName: 'count', subcommand: null, options: {} })).reply, { content: `counter ${before + 1}` });
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
      assert.deepEqual(await t.store.appliedMigrations(ns), ['001-init']);
      assert.equal((await t.store.get(ns, ['count'])).get('count'), String(before + 1));
      await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', 6), 'e6');
      assert.equal(lastText(t), `#${before + 2} v1`);
    });

    test('a command name clash is refused at enable time with a clear error', async () => {
      await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/other', version: '1.0.0', config: {}, grants: [] }), /\/count is already provided by @test\/counter/);
      await t.kernel.enable(GUILD_B, { plugin: '@test/other', version: '1.0.0', config: {}, grants: [] });
      assert.deepEqual(t.kernel.commands(GUILD_B).map((c) => c.name), ['count']);
    });

    test('command changes are reported for the guild that changed, and only when its set changed', async () => {
      t.commandChanges.length = 0;
      await t.kernel.configure(GUILD_A, '@test/counter', { prefix: '!' });
      assert.equal(t.commandChanges.length, 0, 'a config change does not change commands');
      await t.kernel.disable(GUILD_A, '@test/counter');
      assert.deepEqual([...t.commandChanges], [{ guildId: GUILD_A, commands: [] }]);
      await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
      assert.equal(t.commandChanges.length, 2);
      assert.equal(t.commandChanges[1]?.guildId, GUILD_A);
      assert.deepEqual(t.commandChanges[1]?.commands.map((c) => c.name), ['count']);
    });

    test('applyGuild reconciles a guild with its desired state', async () => {
      const problems = await t.kernel.applyGuild(GUILD_B, [
        { plugin: '@test/other', version: '1.0.0', config: {}, grants: [] },
        { plugin: '@test/counter', version: '2.0.0', config: {}, grants },
      ]);
      assert.equal(problems.length, 1, 'the clash with @test/other is reported, not thrown');
      assert.equal(problems[0]?.plugin, '@test/counter');
      assert.deepEqual(t.kernel.enabled(GUILD_B).map((e) => e.plugin), ['@test/other']);
      assert.deepEqual(await t.kernel.applyGuild(GUILD_B, []), []);
      assert.equal(t.kernel.enabled(GUILD_B).length, 0);
      assert.deepEqual(await t.kernel.applyGuild(GUILD_B, [{ plugin: '@test/counter', version: '2.0.0', config: { prefix: '$' }, grants }]), []);
      assert.deepEqual(t.kernel.enabled(GUILD_B).map((e) => `${e.plugin}@${e.version}`), ['@test/counter@2.0.0']);
    });
  });
}

test('a bundle whose code does not match its manifest is refused, with every mismatch', async () => {
  const bad = inlineBundle({ name: '@test/liar', commands: [{ name: 'declared', description: 'd' }] }, `{ events: { messageCreate() {} }, commands: { undeclared() {} } }`);
  const t = await startTestKernel([bad]);
  try {
    await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/liar', version: '1.0.0', config: {}, grants: [] }), (e: unknown) => {
      assert.ok(e instanceof PluginLoadError);
      assert.match(e.message, /event "messageCreate" that the manifest does not declare/);
      assert.match(e.message, /command "\/undeclared"/);
      assert.match(e.message, /"\/declared" but the code has no handler/);
      return true;
    });
  } finally {
    await t.kernel.shutdown(1000);
  }
});

test('a plugin built for another kernel API is refused', async () => {
  const future = inlineBundle({ name: '@test/future', kernelApi: '^2.0.0' }, '{}');
  const t = await startTestKernel([future]);
  try {
    await assert.rejects(t.kernel.enable(GUILD_A, { plugin: '@test/future', version: '1.0.0', config: {}, grants: [] }), /needs kernel API \^2\.0\.0; this kernel provides 1\.0\.0/);
  } finally {
    await t.kernel.shutdown(1000);
  }
});

test('disabling a plugin with a backlog cancels the backlog without blaming the plugin', { timeout: 30_000 }, async () => {
  const slow = inlineBundle({ name: '@test/slow', events: ['messageCreate'], discord: MESSAGE_INTENTS }, `{
    events: { messageCreate() { const until = Date.now() + 2; while (Date.now() < until) {} } },
  }`);
  const t = await startTestKernel([slow], { hosts: 1 });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/slow', version: '1.0.0', config: {}, grants: [] });
    const backlog = Array.from({ length: 60 }, (_, i) => t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'x', i), `b${i}`));
    await new Promise((r) => setTimeout(r, 20));
    await t.kernel.disable(GUILD_A, '@test/slow');
    const reports = await Promise.all(backlog);
    const cancelled = reports.filter((r) => r.outcomes[0]?.fault === 'cancelled').length;
    assert.ok(cancelled > 10, `only ${cancelled} events were still queued when the plugin was disabled`);
    assert.deepEqual(t.kernel.quarantines(), []);
    await t.kernel.enable(GUILD_A, { plugin: '@test/slow', version: '1.0.0', config: {}, grants: [] });
    assert.equal((await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'x', 99), 'after')).outcomes[0]?.ok, true);
  } finally {
    await t.kernel.shutdown(2000);
  }
});

test('disable and upgrade with work in flight: nothing hangs, and every reported success was committed', { timeout: 30_000 }, async () => {
  class SlowStore extends MemoryPluginStore {
    override async get(ns: Parameters<MemoryPluginStore['get']>[0], keys: readonly string[]): Promise<Map<string, string>> {
      await new Promise((r) => setTimeout(r, 30));
      return super.get(ns, keys);
    }
  }
  const store = new SlowStore();
  const t = await startTestKernel([v1, v2], { hosts: 1, store });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
    // An event waiting on a storage read when its plugin is disabled settles (cancelled), it does not hang.
    const waiting = t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'w', 1), 'w1');
    await new Promise((r) => setTimeout(r, 5));
    await t.kernel.disable(GUILD_A, '@test/counter');
    const settled = await Promise.race([waiting, new Promise((r) => setTimeout(() => r('hung'), 5000))]);
    assert.notEqual(settled, 'hung');

    // Upgrading while events stream in: each event that reports success has its write in the store.
    await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '1.0.0', config: {}, grants });
    const before = Number((await store.get({ plugin: '@test/counter', guildId: GUILD_A }, ['count'])).get('count') ?? 0);
    const events = Array.from({ length: 40 }, (_, i) => t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'u', 100 + i), `u${i}`));
    await new Promise((r) => setTimeout(r, 10));
    await t.kernel.enable(GUILD_A, { plugin: '@test/counter', version: '2.0.0', config: {}, grants });
    const reports = await Promise.all(events);
    const ok = reports.filter((r) => r.outcomes[0]?.ok).length;
    const ns = { plugin: '@test/counter', guildId: GUILD_A };
    const values = await store.get(ns, ['count', 'counter']);
    const total = Number(values.get('counter') ?? values.get('count') ?? 0);
    assert.equal(total, before + ok, `${ok} events reported success; the stored count went from ${before} to ${total}`);
  } finally {
    await t.kernel.shutdown(2000);
  }
});

test('an upgrade holds the plugin\'s new events until its migrations ran, so the old code never sees reshaped data', { timeout: 30_000 }, async () => {
  class SlowLedger extends MemoryPluginStore {
    override async commitMigration(step: Parameters<MemoryPluginStore['commitMigration']>[0]): Promise<boolean> {
      await new Promise((r) => setTimeout(r, 50));
      return super.commitMigration(step);
    }
  }
  const s1 = inlineBundle({ name: '@test/score', permissions: ['storage'], events: ['messageCreate'], discord: MESSAGE_INTENTS }, `{
    events: { async messageCreate(ctx) { const n = (await ctx.storage.get('score')) ?? 0; await ctx.storage.set('score', n + 1); } },
  }`);
  const s2 = inlineBundle({ name: '@test/score', version: '2.0.0', permissions: ['storage'], events: ['messageCreate'], discord: MESSAGE_INTENTS, migrations: [{ id: '002-object' }] }, `{
    events: { async messageCreate(ctx) {
      const s = (await ctx.storage.get('score')) ?? { n: 0 };
      if (typeof s !== 'object') throw new Error('score is not an object: ' + JSON.stringify(s));
      await ctx.storage.set('score', { n: s.n + 1 });
    } },
    migrations: { '002-object': { async up(ctx) { await ctx.storage.set('score', { n: (await ctx.storage.get('score')) ?? 0 }); }, async down() {} } },
  }`);
  const store = new SlowLedger();
  const t = await startTestKernel([s1, s2], { hosts: 1, store });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/score', version: '1.0.0', config: {}, grants: ['storage'] });
    for (let i = 0; i < 3; i++) await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'x', i), `pre${i}`);
    const upgrading = t.kernel.enable(GUILD_A, { plugin: '@test/score', version: '2.0.0', config: {}, grants: ['storage'] });
    const during: Array<Promise<unknown>> = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 15));
      during.push(t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'x', 10 + i), `during${i}`));
    }
    await upgrading;
    await Promise.all(during);
    const after = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'x', 99), 'after');
    assert.equal(after.outcomes[0]?.ok, true, JSON.stringify(after.outcomes));
    assert.equal((await store.get({ plugin: '@test/score', guildId: GUILD_A }, ['score'])).get('score'), '{"n":9}');
  } finally {
    await t.kernel.shutdown(2000);
  }
});
