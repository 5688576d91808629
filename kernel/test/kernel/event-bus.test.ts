import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryPluginStore } from '../../src/index.ts';
import type { TestKernel } from '../support/test-kernel.ts';
import { CHANNEL, GUILD_A, GUILD_B, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

const intents = MESSAGE_INTENTS;
// Appends each message's content to a per-guild log; awaits storage in between so events overlap.
const journal = inlineBundle({ name: '@test/journal', permissions: ['storage'], events: ['messageCreate'], discord: intents }, `{
  events: { async messageCreate(ctx, m) {
    const log = (await ctx.storage.get('log')) ?? [];
    log.push(m.content);
    await ctx.storage.set('log', log);
  } },
}`);
// Stages a write and an action, then throws when asked to: neither may survive.
const careless = inlineBundle({ name: '@test/careless', permissions: ['storage', 'discord.messages.send'], events: ['messageCreate'], discord: intents, commands: [{ name: 'peek', description: 'p' }, { name: 'bad', description: 'b' }] }, `{
  events: { async messageCreate(ctx, m) {
    await ctx.storage.set('last', m.content);
    ctx.discord.sendMessage(m.channelId, 'saw ' + m.content);
    if (m.content === 'boom') throw new Error('kaboom');
  } },
  commands: {
    async peek(ctx) {
      const all = await ctx.storage.list({ prefix: '' });
      return { content: JSON.stringify(all), ephemeral: true };
    },
    async bad(ctx) { await ctx.storage.set('charged', true); return { content: 42 }; },
  },
}`);
const grantsJ = ['storage'];
const grantsC = ['storage', 'discord.messages.send'];
const interaction = (guildId: string, commandName: string) => ({ id: '5', guildId, channelId: CHANNEL, user: { id: '444444444444444444', username: 'a', globalName: null, bot: false }, memberRoles: [], commandName, subcommand: null, options: {} });

for (const hosts of [0, 2]) {
  describe(`event bus (${hosts === 0 ? 'in-process' : `${hosts} sandbox host processes`})`, () => {
    let t: TestKernel;
    before(async () => {
      const store = new MemoryPluginStore();
      // Data that exists before the kernel starts is read through the store on first use.
      await store.commit([{ plugin: '@test/journal', guildId: GUILD_B, writes: [{ key: 'log', value: '["before"]' }] }]);
      t = await startTestKernel([journal, careless], { hosts, store });
      for (const g of [GUILD_A, GUILD_B]) {
        await t.kernel.enable(g, { plugin: '@test/journal', version: '1.0.0', config: {}, grants: grantsJ });
        await t.kernel.enable(g, { plugin: '@test/careless', version: '1.0.0', config: {}, grants: grantsC });
      }
    });
    after(() => t.kernel.shutdown(2000));

    test('events of one guild are handled in order; guilds run concurrently', async () => {
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        sent.push(t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, `a${i}`, i), `a${i}`));
        sent.push(t.kernel.dispatch(GUILD_B, 'messageCreate', message(GUILD_B, `b${i}`, i), `b${i}`));
      }
      await Promise.all(sent);
      const read = async (g: string) => JSON.parse((await t.store.get({ plugin: '@test/journal', guildId: g }, ['log'])).get('log') ?? '[]') as string[];
      assert.deepEqual(await read(GUILD_A), Array.from({ length: 200 }, (_, i) => `a${i}`));
      assert.deepEqual(await read(GUILD_B), ['before', ...Array.from({ length: 200 }, (_, i) => `b${i}`)]);
    });

    test('a failing handler commits nothing and performs nothing; other plugins are unaffected', async () => {
      const before = t.sink.actions.length;
      const report = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'boom', 999), 'boom');
      const byPlugin = Object.fromEntries(report.outcomes.map((o) => [o.plugin, o]));
      assert.equal(byPlugin['@test/careless']?.ok, false);
      assert.match(byPlugin['@test/careless']?.error ?? '', /kaboom/);
      assert.equal(byPlugin['@test/journal']?.ok, true);
      assert.equal(t.sink.actions.length, before, 'no action from the failed handler');
      assert.notEqual((await t.store.get({ plugin: '@test/careless', guildId: GUILD_A }, ['last'])).get('last'), '"boom"');
      await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'fine', 1000), 'fine');
      assert.equal((await t.store.get({ plugin: '@test/careless', guildId: GUILD_A }, ['last'])).get('last'), '"fine"');
      const last = t.sink.actions.at(-1);
      assert.equal(last?.guildId, GUILD_A);
      assert.equal(last?.key, 'messageCreate:fine:@test/careless:0', 'the idempotency key names the event, plugin and action');
      assert.deepEqual(last?.action, { type: 'sendMessage', channelId: CHANNEL, message: { content: 'saw fine' } });
    });

    test('an event whose payload text is not JSON fails as its own error, not as a fault of the plugin', async () => {
      // Sent together, so they share one call into each plugin's isolate (both guilds hash to the
      // same host when there are two).
      const [bad, good] = await Promise.all([
        t.kernel.dispatch(GUILD_A, 'messageCreate', '{"content": "unterminated', 'bad-json'),
        t.kernel.dispatch(GUILD_B, 'messageCreate', message(GUILD_B, 'still fine', 2000), 'good-json'),
      ]);
      for (const o of bad.outcomes) {
        assert.equal(o.ok, false, `${o.plugin} cannot read the event`);
        assert.match(o.error ?? '', /^SyntaxError: .*JSON/);
        assert.equal(o.fault, undefined, 'not a sandbox fault: the plugin did nothing wrong');
      }
      assert.deepEqual(good.outcomes.map((o) => o.ok), [true, true]);
      assert.equal((await t.store.get({ plugin: '@test/careless', guildId: GUILD_B }, ['last'])).get('last'), '"still fine"');
    });

    test('a plugin sees only its own data, for the guild of the event', async () => {
      const reply = await t.kernel.command(interaction(GUILD_A, 'peek'));
      assert.ok(reply.ok, reply.error);
      assert.equal(reply.reply?.ephemeral, true);
      const entries = JSON.parse(reply.reply?.content ?? '[]') as Array<{ key: string; value: unknown }>;
      assert.deepEqual(entries, [{ key: 'last', value: 'fine' }]);
    });

    test('an invalid command reply is refused with a reason', async () => {
      const r = await t.kernel.command(interaction(GUILD_A, 'bad'));
      assert.equal(r.ok, false);
      assert.equal(r.reply, null);
      assert.match(r.error ?? '', /reply is invalid/);
      assert.equal((await t.store.get({ plugin: '@test/careless', guildId: GUILD_A }, ['charged'])).has('charged'), false, 'the invalid reply\'s write was not committed');
    });

    test('a command nobody provides answers with a clear error', async () => {
      const r = await t.kernel.command(interaction(GUILD_B, 'nope'));
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /no plugin provides \/nope/);
    });
  });
}

test('storage.list pages with `after`, merging the handler\'s own staged writes', async () => {
  const pager = inlineBundle({ name: '@test/pager', permissions: ['storage'], commands: [{ name: 'page', description: 'p' }] }, `{
    commands: { async page(ctx) {
      for (let i = 0; i < 5; i++) await ctx.storage.set('k' + i, i);
      await ctx.storage.delete('k1');
      const first = await ctx.storage.list({ prefix: 'k', limit: 2 });
      const rest = await ctx.storage.list({ prefix: 'k', after: first[first.length - 1].key });
      return JSON.stringify([first.map((e) => e.key), rest.map((e) => e.key)]);
    } },
  }`);
  const store = new MemoryPluginStore();
  await store.commit([{ plugin: '@test/pager', guildId: GUILD_A, writes: [{ key: 'k9', value: '9' }, { key: 'k1', value: '1' }] }]);
  const t = await startTestKernel([pager], { store });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/pager', version: '1.0.0', config: {}, grants: ['storage'] });
    const r = await t.kernel.command(interaction(GUILD_A, 'page'));
    assert.ok(r.ok, r.error);
    assert.deepEqual(JSON.parse(r.reply?.content ?? ''), [['k0', 'k2'], ['k3', 'k4', 'k9']]);
  } finally {
    await t.kernel.shutdown(1000);
  }
});

test('when the store refuses a commit, the handler fails, its actions are not performed, and nothing is cached', async () => {
  class FlakyStore extends MemoryPluginStore {
    failing = false;
    override async commit(batch: Parameters<MemoryPluginStore['commit']>[0]): Promise<void> {
      if (this.failing) throw new Error('database is down');
      return super.commit(batch);
    }
  }
  const store = new FlakyStore();
  const t = await startTestKernel([careless], { store });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/careless', version: '1.0.0', config: {}, grants: grantsC });
    store.failing = true;
    const report = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'lost'), 'lost');
    assert.equal(report.outcomes[0]?.ok, false);
    assert.match(report.outcomes[0]?.error ?? '', /could not be saved/);
    assert.equal(t.sink.actions.length, 0);
    // An outage is not the plugin's fault: however long it lasts, it is no reason to quarantine.
    for (let i = 0; i < 11; i++) await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, `lost${i}`, i), `lost${i}`);
    assert.deepEqual(t.kernel.quarantines(), []);
    store.failing = false;
    const peek = await t.kernel.command(interaction(GUILD_A, 'peek'));
    assert.deepEqual(JSON.parse(peek.reply?.content ?? 'null'), [], 'the refused write is not served from the cache either');
  } finally {
    await t.kernel.shutdown(1000);
  }
});

test('storage refuses what the database cannot hold, and reads that never end, with typed errors', async () => {
  const picky = inlineBundle({ name: '@test/picky', permissions: ['storage'], commands: [{ name: 'try', description: 't' }, { name: 'spin', description: 's' }] }, `{
    commands: {
      async try(ctx) {
        const codes = [];
        for (const attempt of [() => ctx.storage.set('a\\u0000b', 1), () => ctx.storage.set('k', 'x\\u0000'), () => ctx.storage.list({ prefix: 'p'.repeat(300) })]) {
          try { await attempt(); codes.push('ok'); } catch (e) { codes.push(e.code); }
        }
        return codes.join(',');
      },
      async spin(ctx) {
        try { for (let i = 0; ; i++) await ctx.storage.get('missing' + i); } catch (e) { return e.code; }
      },
    },
  }`);
  // The namespace holds data, so keys the sandbox host has not seen must be read from the store
  // (a namespace the store reports empty is answered without reads, and such a loop only meets the CPU limit).
  const store = new MemoryPluginStore();
  await store.commit([{ plugin: '@test/picky', guildId: GUILD_A, writes: [{ key: 'seed', value: '1' }] }]);
  const t = await startTestKernel([picky], { store });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/picky', version: '1.0.0', config: {}, grants: ['storage'] });
    assert.deepEqual((await t.kernel.command(interaction(GUILD_A, 'try'))).reply, { content: 'INVALID_ARGUMENT,INVALID_ARGUMENT,INVALID_ARGUMENT' });
    assert.deepEqual((await t.kernel.command(interaction(GUILD_A, 'spin'))).reply, { content: 'STORAGE_LIMIT' });
  } finally {
    await t.kernel.shutdown(1000);
  }
});
