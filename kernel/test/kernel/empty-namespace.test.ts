/**
 * A namespace the store reports empty is known completely: the sandbox host answers reads of keys
 * it has never seen as absent without asking the store again, and still sees what items wrote. A
 * namespace with data keeps asking the store for keys it does not hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryPluginStore } from '../../src/index.ts';
import type { NamespaceRead, NamespaceReadResult } from '../../src/storage/plugin-store.ts';
import { GUILD_A, GUILD_B, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

/** The development store, counting the keys each guild's reads asked for. */
class CountingStore extends MemoryPluginStore {
  readonly asked = new Map<string, string[]>();

  override async read(requests: readonly NamespaceRead[]): Promise<NamespaceReadResult[]> {
    for (const r of requests) this.asked.set(r.guildId, [...(this.asked.get(r.guildId) ?? []), ...r.keys]);
    return super.read(requests);
  }
}

const PLUGIN = '@test/lookup';
// "k": read key k; "k=v": write it, then read it back.
const lookup = inlineBundle(
  { name: PLUGIN, permissions: ['storage', 'discord.messages.send'], events: ['messageCreate'], discord: MESSAGE_INTENTS },
  `{ events: { async messageCreate(ctx, m) {
    const [key, value] = m.content.split('=');
    if (value !== undefined) await ctx.storage.set(key, value);
    const found = await ctx.storage.get(key);
    ctx.discord.sendMessage(m.channelId, key + ':' + (found === undefined ? 'absent' : found));
  } } }`,
);

test('an empty namespace is read once; later unknown keys are absent without a read, and writes are seen', async () => {
  const store = new CountingStore();
  await store.commit([{ plugin: PLUGIN, guildId: GUILD_B, writes: [{ key: 'seed', value: '"s"' }] }]);
  const t = await startTestKernel([lookup], { hosts: 1, store });
  try {
    for (const guildId of [GUILD_A, GUILD_B]) await t.kernel.enable(guildId, { plugin: PLUGIN, version: '1.0.0', config: {}, grants: ['storage', 'discord.messages.send'] });
    const send = async (guildId: string, contents: string[]) => {
      for (const [n, content] of contents.entries()) {
        const report = await t.kernel.dispatch(guildId, 'messageCreate', message(guildId, content, n), `${guildId}-${n}`);
        assert.equal(report.outcomes[0]?.ok, true, JSON.stringify(report));
      }
    };
    await send(GUILD_A, ['a', 'b', 'c=1', 'c', 'd']);
    await send(GUILD_B, ['a', 'b', 'seed']);
    const sent = (guildId: string) => t.sink.actions.filter((a) => a.guildId === guildId).map((a) => (a.action.type === 'sendMessage' ? a.action.message.content : ''));
    assert.deepEqual(sent(GUILD_A), ['a:absent', 'b:absent', 'c:1', 'c:1', 'd:absent']);
    assert.deepEqual(sent(GUILD_B), ['a:absent', 'b:absent', 'seed:s']);
    assert.deepEqual(store.asked.get(GUILD_A), ['a'], 'the empty namespace was read once');
    assert.deepEqual(store.asked.get(GUILD_B), ['a', 'b', 'seed'], 'a namespace with data is read for each key the host does not hold');
    assert.deepEqual(await store.list({ plugin: PLUGIN, guildId: GUILD_A }, '', 10), [{ key: 'c', value: '"1"' }]);
  } finally {
    await t.kernel.shutdown(2000);
  }
});
