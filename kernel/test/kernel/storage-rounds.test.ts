/**
 * A plugin's storage calls reach the sandbox host in rounds (queued in the isolate, answered
 * together when it returns). What a plugin sees must not depend on that: calls made without
 * waiting are answered in the order they were made, and more calls, or more characters, than
 * one round carries (MAX_CALLS_PER_ROUND, MAX_CHARS_PER_ROUND) are all answered, over several rounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CALLS_PER_ROUND, MAX_CHARS_PER_ROUND } from '../../src/sandbox/guest-results.ts';
import { GUILD_A, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

const CALLS = 2 * MAX_CALLS_PER_ROUND + 100;
/** Three values that fit in the quota together but not two to a round. */
const BIG = Math.ceil(MAX_CHARS_PER_ROUND * 0.6);

const rounds = inlineBundle(
  { name: '@test/rounds', permissions: ['storage', 'discord.messages.send'], events: ['messageCreate'], discord: MESSAGE_INTENTS, limits: { storageBytes: 4 * 1024 * 1024 } },
  `{ events: { async messageCreate(ctx, m) {
    if (m.content === 'big') {
      const keys = ['b1', 'b2', 'b3'];
      await Promise.all(keys.map((k) => ctx.storage.set(k, k.repeat(${BIG} / 2))));
      const back = await Promise.all(keys.map((k) => ctx.storage.get(k)));
      ctx.discord.sendMessage(m.channelId, JSON.stringify(back.map((v) => v.length)));
      return;
    }
    // Not awaited one by one: a write, a read of it, a delete and a read again, in one round.
    const [, written, deleted, gone] = await Promise.all([ctx.storage.set('a', 2), ctx.storage.get('a'), ctx.storage.delete('a'), ctx.storage.get('a')]);
    await ctx.storage.set('k', 7);
    const many = await Promise.all(Array.from({ length: ${CALLS} }, () => ctx.storage.get('k')));
    ctx.discord.sendMessage(m.channelId, JSON.stringify({ written, deleted, gone: gone === undefined, many: many.length, all7: many.every((v) => v === 7) }));
  } } }`,
);

test(`calls made without waiting are answered in order; ${CALLS} calls, or three values of ${BIG} characters, at once are all answered`, async () => {
  const t = await startTestKernel([rounds], { hosts: 1 });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/rounds', version: '1.0.0', config: {}, grants: ['storage', 'discord.messages.send'] });
    const report = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'go', 1), 'e1');
    assert.equal(report.outcomes[0]?.ok, true, JSON.stringify(report));
    const sent = t.sink.actions.map((a) => (a.action.type === 'sendMessage' ? JSON.parse(a.action.message.content ?? '{}') : null));
    assert.deepEqual(sent, [{ written: 2, deleted: true, gone: true, many: CALLS, all7: true }]);
    const big = await t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'big', 2), 'e2');
    assert.equal(big.outcomes[0]?.ok, true, JSON.stringify(big));
    const last = t.sink.actions.at(-1)?.action;
    assert.deepEqual(JSON.parse(last?.type === 'sendMessage' ? (last.message.content ?? '') : ''), [BIG, BIG, BIG]);
  } finally {
    await t.kernel.shutdown(2000);
  }
});
