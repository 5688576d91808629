/**
 * The welcome plugin built and run for real: the SDK harness bundles `src/plugin.ts` with esbuild,
 * loads it into a sandbox, and plays gateway events and slash commands against a simulated guild.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarness } from '@townesdev/sdk/harness';

const CHANNEL = '111111111111111111';
const ALICE = { id: '222222222222222222', username: 'alice' };
const ROLE = '333333333333333333';
const ADMIN = '444444444444444444';

type Harness = Awaited<ReturnType<typeof createHarness>>;

describe('welcome plugin (harness)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ pluginDir: new URL('..', import.meta.url), sandbox: 'inprocess' });
  });
  after(async () => {
    await h?.close();
  });

  it('posts the rendered welcome message to the configured channel', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL } });
    const r = await guild.memberAdd({ user: ALICE });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, [
      { type: 'sendMessage', channelId: CHANNEL, message: { content: `Welcome <@${ALICE.id}> to Test Server! You are member #42.` } },
    ]);
  });

  it('renders every placeholder, with the ordinal form', async () => {
    const guild = await h.guild({
      name: 'Test Server',
      memberCount: 41,
      config: { channelId: CHANNEL, message: '{user} {username} {server} {memberCount} {memberCount:ordinal}' },
    });
    const r = await guild.memberAdd({ user: ALICE });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, [
      { type: 'sendMessage', channelId: CHANNEL, message: { content: `<@${ALICE.id}> alice Test Server 42 42nd` } },
    ]);
  });

  it('does not let a username ping @everyone', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 1, config: { channelId: CHANNEL, message: 'Hi {username}' } });
    const r = await guild.memberAdd({ user: { id: '555555555555555555', username: '@everyone' } });
    assert.equal(r.ok, true, r.error);
    const [action] = r.actions;
    assert.equal(action?.type, 'sendMessage');
    assert.doesNotMatch(JSON.stringify(action), /@everyone/);
  });

  it('sends a DM only when enabled', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL } });
    const off = await guild.memberAdd({ user: ALICE });
    assert.equal(off.actions.some((a) => a.type === 'sendDirectMessage'), false);

    await guild.configure({ channelId: CHANNEL, dmEnabled: true, dmMessage: 'Hi {username}, you are our {memberCount:ordinal} member.' });
    const on = await guild.memberAdd({ user: { id: '666666666666666666', username: 'bob' } });
    assert.equal(on.ok, true, on.error);
    const dm = on.actions.find((a) => a.type === 'sendDirectMessage');
    assert.ok(dm && dm.type === 'sendDirectMessage');
    assert.equal(dm.userId, '666666666666666666');
    assert.match(dm.message.content ?? '', /^Hi bob, you are our \d+(st|nd|rd|th) member\.$/);
  });

  it('gives the auto-role', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL, autoRoleId: ROLE } });
    const r = await guild.memberAdd({ user: ALICE });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions.map((a) => a.type), ['sendMessage', 'addRole']);
    const role = r.actions[1];
    assert.ok(role && role.type === 'addRole');
    assert.equal(role.userId, ALICE.id);
    assert.equal(role.roleId, ROLE);
  });

  it('ignores bots by default', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL, autoRoleId: ROLE } });
    const r = await guild.memberAdd({ user: { id: '777777777777777777', username: 'somebot', bot: true } });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, []);
  });

  it('does nothing when no channel is configured', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { autoRoleId: ROLE, dmEnabled: true } });
    const r = await guild.memberAdd({ user: ALICE });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.actions, []);
  });

  it('/welcome test previews (ephemeral) and sends to the channel', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL } });
    const r = await guild.command('welcome', { userId: ADMIN, subcommand: 'test' });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.reply?.ephemeral, true);
    assert.match(r.reply?.content ?? '', new RegExp(`<#${CHANNEL}>`));
    const preview = r.reply?.embeds?.[0]?.description ?? '';
    assert.match(preview, new RegExp(`^Welcome <@${ADMIN}> to `));
    assert.deepEqual(r.actions, [{ type: 'sendMessage', channelId: CHANNEL, message: { content: preview } }]);
  });

  it('/welcome test uses the server name and count seen at the last join', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: { channelId: CHANNEL } });
    await guild.memberAdd({ user: ALICE });
    const r = await guild.command('welcome', { userId: ADMIN, subcommand: 'test' });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.reply?.embeds?.[0]?.description, `Welcome <@${ADMIN}> to Test Server! You are member #42.`);
  });

  it('/welcome test explains how to set the channel when none is set', async () => {
    const guild = await h.guild({ name: 'Test Server', memberCount: 41, config: {} });
    const r = await guild.command('welcome', { userId: ADMIN, subcommand: 'test' });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.reply?.ephemeral, true);
    assert.match(r.reply?.content ?? '', /channel/i);
    assert.deepEqual(r.actions, []);
  });
});
