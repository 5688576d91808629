/**
 * The handlers called directly with a hand-made context, as a quick check that does not need the
 * sandbox. The harness tests (`welcome.harness.test.ts`) run the built bundle for real.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandInteraction, GuildMemberAddEvent, InteractionReply, JsonValue } from '@townesdev/sdk';
import plugin, { DEFAULT_DM_MESSAGE, DEFAULT_MESSAGE } from '../src/plugin.ts';

type Action = { type: string; [k: string]: unknown };

function fakeContext(config: Record<string, unknown>) {
  const actions: Action[] = [];
  const data = new Map<string, JsonValue>();
  const ctx = {
    guildId: '999999999999999999',
    config: { message: DEFAULT_MESSAGE, dmEnabled: false, dmMessage: DEFAULT_DM_MESSAGE, ignoreBots: true, ...config },
    log: { info() {}, warn() {}, error() {} },
    storage: {
      async get(key: string) { return data.get(key); },
      async set(key: string, value: JsonValue) { data.set(key, structuredClone(value)); },
      async delete(key: string) { return data.delete(key); },
      async list() { return [...data].map(([key, value]) => ({ key, value })); },
    },
    discord: {
      sendMessage(channelId: string, message: unknown) { actions.push({ type: 'sendMessage', channelId, message }); },
      sendDirectMessage(userId: string, message: unknown) { actions.push({ type: 'sendDirectMessage', userId, message }); },
      addRole(userId: string, roleId: string, reason?: string) { actions.push({ type: 'addRole', userId, roleId, reason }); },
      removeRole(userId: string, roleId: string, reason?: string) { actions.push({ type: 'removeRole', userId, roleId, reason }); },
    },
  };
  return { ctx: ctx as never, actions, data };
}

const CHANNEL = '111111111111111111';
const ROLE = '333333333333333333';
const join = (user: Partial<GuildMemberAddEvent['user']> = {}): GuildMemberAddEvent => ({
  guild: { id: '999999999999999999', name: 'Test Server', memberCount: 42 },
  user: { id: '222222222222222222', username: 'alice', globalName: null, bot: false, ...user },
  joinedAt: '2026-11-25T12:00:00.000Z',
});
const interaction = (subcommand: string | null = 'test'): CommandInteraction => ({
  id: '1', guildId: '999999999999999999', channelId: '444444444444444444',
  user: { id: '555555555555555555', username: 'admin', globalName: null, bot: false },
  memberRoles: [], commandName: 'welcome', subcommand, options: {},
});

const onJoin = plugin.events!.guildMemberAdd!;
const welcome = plugin.commands!.welcome;

describe('welcome handlers (direct)', () => {
  it('does nothing without a channel', async () => {
    const { ctx, actions } = fakeContext({ dmEnabled: true, autoRoleId: ROLE });
    await onJoin(ctx, join());
    assert.deepEqual(actions, []);
  });

  it('sends the message, the DM and the role', async () => {
    const { ctx, actions } = fakeContext({ channelId: CHANNEL, dmEnabled: true, autoRoleId: ROLE });
    await onJoin(ctx, join());
    assert.deepEqual(actions.map((a) => a.type), ['sendMessage', 'sendDirectMessage', 'addRole']);
    assert.equal(actions[0]!.message, 'Welcome <@222222222222222222> to Test Server! You are member #42.');
    assert.match(String(actions[1]!.message), /42nd member/);
  });

  it('ignores bots by default, greets them when told to (but never DMs them)', async () => {
    const a = fakeContext({ channelId: CHANNEL, dmEnabled: true });
    await onJoin(a.ctx, join({ bot: true }));
    assert.deepEqual(a.actions, []);
    const b = fakeContext({ channelId: CHANNEL, dmEnabled: true, ignoreBots: false });
    await onJoin(b.ctx, join({ bot: true }));
    assert.deepEqual(b.actions.map((x) => x.type), ['sendMessage']);
  });

  it('/welcome test explains how to configure when no channel is set', async () => {
    const { ctx, actions } = fakeContext({});
    const reply = (await welcome(ctx, interaction())) as InteractionReply;
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content ?? '', /channelId/);
    assert.deepEqual(actions, []);
  });

  it('/welcome test previews and sends, using the server seen at the last join', async () => {
    const { ctx, actions } = fakeContext({ channelId: CHANNEL });
    await onJoin(ctx, join());
    actions.length = 0;
    const reply = (await welcome(ctx, interaction())) as InteractionReply;
    assert.equal(reply.ephemeral, true);
    const expected = 'Welcome <@555555555555555555> to Test Server! You are member #42.';
    assert.equal(reply.embeds?.[0]?.description, expected);
    assert.deepEqual(actions, [{ type: 'sendMessage', channelId: CHANNEL, message: expected }]);
  });
});
