/**
 * The handlers called directly with a hand-made context, as a quick check that does not need the
 * sandbox. The harness tests (`xp.harness.test.ts`) run the built bundle for real.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandInteraction, InteractionReply, JsonValue, MessageCreateEvent } from '@townesdev/sdk';
import plugin, { DEFAULT_LEVEL_UP_MESSAGE } from '../src/plugin.ts';

type Action = { type: string; [k: string]: unknown };

function fakeContext(config: Record<string, unknown> = {}) {
  const actions: Action[] = [];
  const data = new Map<string, JsonValue>();
  const storage = {
    async get(key: string) { return data.get(key); },
    async set(key: string, value: JsonValue) { data.set(key, structuredClone(value)); },
    async delete(key: string) { return data.delete(key); },
    async list(options: { prefix?: string } = {}) {
      return [...data.keys()].sort().filter((k) => k.startsWith(options.prefix ?? '')).map((key) => ({ key, value: data.get(key)! }));
    },
  };
  const ctx = {
    guildId: '999999999999999999',
    config: {
      minXp: 15, maxXp: 25, cooldownSeconds: 60, announceLevelUps: true, levelUpMessage: DEFAULT_LEVEL_UP_MESSAGE,
      roleRewards: [], ignoredChannels: [], ...config,
    },
    log: { info() {}, warn() {}, error() {} },
    storage,
    discord: {
      sendMessage(channelId: string, message: unknown) { actions.push({ type: 'sendMessage', channelId, message }); },
      addRole(userId: string, roleId: string, reason?: string) { actions.push({ type: 'addRole', userId, roleId, reason }); },
      removeRole(userId: string, roleId: string, reason?: string) { actions.push({ type: 'removeRole', userId, roleId, reason }); },
    },
  };
  return { ctx: ctx as never, actions, data, storage };
}

const ALICE = '222222222222222222';
const CHANNEL = '333333333333333333';
const t = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 12) + seconds * 1000).toISOString();
const msg = (over: Partial<MessageCreateEvent> = {}): MessageCreateEvent => ({
  id: '1', guildId: '999999999999999999', channelId: CHANNEL,
  author: { id: ALICE, username: 'alice', globalName: null, bot: false },
  memberRoles: [], content: 'hello', createdAt: t(0), ...over,
});
const cmd = (commandName: string, options: CommandInteraction['options'] = {}): CommandInteraction => ({
  id: '1', guildId: '999999999999999999', channelId: CHANNEL,
  user: { id: ALICE, username: 'alice', globalName: null, bot: false },
  memberRoles: [], commandName, subcommand: null, options,
});

const onMessage = plugin.events!.messageCreate!;

describe('xp handlers (direct)', () => {
  it('awards XP in range and honours the cooldown', async () => {
    const { ctx, data } = fakeContext();
    await onMessage(ctx, msg());
    const first = data.get(`u:${ALICE}`) as { xp: number; messages: number };
    assert.ok(first.xp >= 15 && first.xp <= 25);
    await onMessage(ctx, msg({ createdAt: t(30) }));
    assert.equal((data.get(`u:${ALICE}`) as { xp: number }).xp, first.xp);
    await onMessage(ctx, msg({ createdAt: t(60) }));
    assert.equal((data.get(`u:${ALICE}`) as { messages: number }).messages, 2);
  });

  it('announces level-ups and grants rewards the member lacks', async () => {
    const { ctx, actions, data } = fakeContext({
      minXp: 100, maxXp: 100,
      roleRewards: [{ level: 1, roleId: 'r1' }, { level: 1, roleId: 'have' }, { level: 2, roleId: 'r2' }],
    });
    await onMessage(ctx, msg({ memberRoles: ['have'] }));
    assert.deepEqual(actions, [
      { type: 'sendMessage', channelId: CHANNEL, message: `GG <@${ALICE}>, you just reached level 1!` },
      { type: 'addRole', userId: ALICE, roleId: 'r1', reason: 'XP: reached level 1' },
    ]);
    assert.deepEqual(data.get(`u:${ALICE}`), { xp: 100, level: 1, lastAwardAt: Date.parse(t(0)), messages: 1 });
  });

  it('ignores bots and ignored channels', async () => {
    const { ctx, data } = fakeContext({ ignoredChannels: [CHANNEL] });
    await onMessage(ctx, msg());
    await onMessage(ctx, msg({ channelId: '1', author: { id: '5', username: 'bot', globalName: null, bot: true } }));
    assert.equal(data.size, 0);
  });

  it('/rank and /leaderboard read the records', async () => {
    const { ctx, storage } = fakeContext();
    await storage.set(`u:${ALICE}`, { xp: 300, level: 2, lastAwardAt: 0, messages: 14 });
    await storage.set('u:1', { xp: 1000, level: 4, lastAwardAt: 0, messages: 50 });
    const rank = (await plugin.commands!.rank(ctx, cmd('rank'))) as InteractionReply;
    assert.equal(rank.embeds?.[0]?.title, 'Level 2 · Rank #2');
    const board = (await plugin.commands!.leaderboard(ctx, cmd('leaderboard'))) as InteractionReply;
    assert.equal(board.embeds?.[0]?.description, `**1.** <@1> · Level 4 · 1,000 XP\n**2.** <@${ALICE}> · Level 2 · 300 XP`);
  });

  it('migration 001-initial writes and removes the schema key', async () => {
    const { storage, data } = fakeContext();
    const step = plugin.migrations!['001-initial']!;
    const mctx = { guildId: '9', storage, log: { info() {}, warn() {}, error() {} } } as never;
    await step.up(mctx);
    assert.deepEqual(data.get('schema'), { version: 1 });
    await step.down(mctx);
    assert.equal(data.has('schema'), false);
  });
});
