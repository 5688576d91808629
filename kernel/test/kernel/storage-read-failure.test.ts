/**
 * When the store cannot answer a sandbox host's batched read, every item waiting on it fails
 * with "storage is unavailable" (the kernel's fault: no strike, no quarantine), nothing is cached as
 * absent, and once the store answers again the same keys are read and the plugin works.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryPluginStore } from '../../src/index.ts';
import type { NamespaceRead, NamespaceReadResult } from '../../src/storage/plugin-store.ts';
import { GUILD_A, GUILD_B, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

/** The development store with a switch that makes its reads fail, as a database outage would. */
class FlakyReadStore extends MemoryPluginStore {
  failReads = false;

  override async read(requests: readonly NamespaceRead[]): Promise<NamespaceReadResult[]> {
    if (this.failReads) throw new Error('connection refused');
    return super.read(requests);
  }
}

const reader = inlineBundle(
  { name: '@test/reader', permissions: ['storage', 'discord.messages.send'], events: ['messageCreate'], discord: MESSAGE_INTENTS },
  `{ events: { async messageCreate(ctx, m) {
    const seen = (await ctx.storage.get('seen')) ?? 0;
    await ctx.storage.set('seen', seen + 1);
    ctx.discord.sendMessage(m.channelId, 'seen ' + seen);
  } } }`,
);

test('a failed batched read fails the waiting items as the kernel\'s fault, and nothing stale is cached', async () => {
  const store = new FlakyReadStore();
  await store.commit([{ plugin: '@test/reader', guildId: GUILD_A, writes: [{ key: 'seen', value: '41' }] }]);
  const t = await startTestKernel([reader], { hosts: 1, store });
  try {
    for (const guildId of [GUILD_A, GUILD_B]) await t.kernel.enable(guildId, { plugin: '@test/reader', version: '1.0.0', config: {}, grants: ['storage', 'discord.messages.send'] });
    store.failReads = true;
    const failed = await Promise.all([GUILD_A, GUILD_B].map((g, n) => t.kernel.dispatch(g, 'messageCreate', message(g, 'hi', n), `e${n}`)));
    for (const report of failed) {
      const outcome = report.outcomes[0];
      assert.equal(outcome?.ok, false, JSON.stringify(report));
      assert.match(outcome?.error ?? '', /storage is unavailable: connection refused/);
    }
    assert.equal(t.kernel.quarantines().length, 0, 'not the plugin\'s fault');
    assert.equal(t.sink.actions.length, 0);

    store.failReads = false;
    const report = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', 9), 'e9');
    assert.equal(report.outcomes[0]?.ok, true, JSON.stringify(report));
    const sent = t.sink.actions.map((a) => (a.action.type === 'sendMessage' ? a.action.message.content : ''));
    assert.deepEqual(sent, ['seen 41'], 'the stored value, not a cached "absent"');
  } finally {
    await t.kernel.shutdown(2000);
  }
});
