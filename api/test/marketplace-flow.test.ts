import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { publishTestPlugin } from './support/test-plugins.ts';
import { startApiWorld, type ApiWorld } from './support/api-world.ts';
import type { HttpClient } from './support/http-client.ts';

let world: ApiWorld;
let alice: HttpClient;
let tenantId: string;
const ids = { alice: '100000000000000001', guild: '200000000000000001', other: '200000000000000002' };
const XP = '@test/xp';
const enc = encodeURIComponent;

before(async () => {
  world = await startApiWorld();
  const { state } = world.sim;
  state.addUser({ id: ids.alice, username: 'alice' });
  state.addGuild({ id: ids.guild, name: 'Alpha', ownerId: ids.alice });
  state.addGuild({ id: ids.other, name: 'Beta', ownerId: ids.alice, botMember: false });
  const config = { minXp: { type: 'integer', min: 1, max: 100, default: 15 }, channelId: { type: 'channel', optional: true } };
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    await publishTestPlugin(world.registry, world.publisherKey, {
      name: XP,
      version,
      permissions: version === '2.0.0' ? ['storage', 'discord.messages.send', 'discord.roles.manage'] : ['storage', 'discord.messages.send'],
      botPermissions: ['SendMessages'],
      config,
      commands: [{ name: 'rank', description: 'Your level' }],
    });
  }
  alice = await world.login(ids.alice);
});

after(async () => {
  await world?.close();
});

test('the first login creates a tenant and claims the guilds the user manages', async () => {
  const session = await alice.get('/v1/auth/session');
  assert.equal(session.status, 200);
  const body = session.body as { user: { id: string }; tenant: { id: string; plan: string } };
  assert.equal(body.user.id, ids.alice);
  assert.equal(body.tenant.plan, 'free');
  tenantId = body.tenant.id;
  const assets = await alice.get(`/v1/tenants/${tenantId}/assets`);
  assert.equal(assets.status, 200);
  const list = (assets.body as { assets: Array<{ id: string; canManage: boolean; features: unknown[] }> }).assets;
  assert.deepEqual(list.map((a) => [a.id, a.canManage, a.features.length]).sort(), [[ids.guild, true, 0], [ids.other, true, 0]]);
});

test('the session cookie is HTTP-only, SameSite and scoped to the site; the reply carries a request id', async () => {
  const client = world.anonymous();
  const start = await client.get('/v1/auth/discord/login');
  assert.equal(start.status, 302);
  const location = new URL(start.headers.get('location')!);
  assert.equal(location.searchParams.get('scope'), 'identify guilds', 'least scopes');
  assert.equal(location.searchParams.get('client_id'), 'townes-test-app');
  assert.match(start.headers.get('x-request-id') ?? '', /^[\w-]{8,}$/);
  const state = location.searchParams.get('state')!;
  const { code } = world.sim.oauth.authorize({ userId: ids.alice, clientId: 'townes-test-app', redirectUri: 'http://app.townes.test/auth/callback', scope: 'identify guilds', state });
  const res = await fetch(`${world.baseUrl}/v1/auth/discord/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `townes_oauth_state=${state}` },
    body: JSON.stringify({ code, state }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('townes_session='))!;
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Lax/i);
  assert.match(cookie, /Path=\//);
  assert.match(cookie, /Max-Age=3600/);
  assert.equal((await res.json() as { newTenant: boolean }).newTenant, false, 'the second login reuses the tenant');
});

test('install with a range and a grant, configure, disable, enable, upgrade: each audited, each announced to runners', async () => {
  const subscriber = new Redis('redis://127.0.0.1:6379');
  const notices: string[] = [];
  subscriber.on('message', (_c, guildId: string) => notices.push(guildId));
  await subscriber.subscribe(`${world.redisPrefix}guild-changed`);
  try {
    const installed = await alice.post(`/v1/assets/${ids.guild}/plugins`, { plugin: XP, version: '^1.0.0', grants: ['storage', 'discord.messages.send'], config: { minXp: 20 } });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
    assert.deepEqual((installed.body as { version: string; config: unknown }).version, '1.1.0');
    assert.deepEqual((installed.body as { config: unknown }).config, { minXp: 20 }, 'validated against the manifest schema');

    const configured = await alice.put(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/config`, { config: { minXp: 30, channelId: '300000000000000001' } });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    const disabled = await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/disable`);
    assert.equal(disabled.status, 200);
    assert.equal((disabled.body as { enabled: boolean }).enabled, false);
    const enabled = await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/enable`);
    assert.equal((enabled.body as { enabled: boolean }).enabled, true);

    const needsGrant = await alice.post(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/upgrade`, { version: '^2.0.0' });
    assert.equal(needsGrant.status, 403);
    assert.equal((needsGrant.body as { error: { code: string; message: string } }).error.code, 'GRANT_INSUFFICIENT');
    assert.match((needsGrant.body as { error: { message: string } }).error.message, /discord\.roles\.manage/);
    const upgraded = await alice.post(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/upgrade`, { version: '^2.0.0', grants: ['storage', 'discord.messages.send', 'discord.roles.manage'] });
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    assert.equal((upgraded.body as { version: string }).version, '2.0.0');
    const down = await alice.post(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/upgrade`, { version: '^1.0.0' });
    assert.equal(down.status, 409, 'a range never moves a guild down');
    assert.equal((down.body as { error: { code: string } }).error.code, 'DOWNGRADE_REFUSED');
    const pinned = await alice.post(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/upgrade`, { version: '1.1.0', grants: ['storage', 'discord.messages.send'] });
    assert.equal(pinned.status, 200, 'an explicit pin is the way down');

    const asset = await alice.get(`/v1/assets/${ids.guild}`);
    assert.equal(asset.status, 200);
    const detail = asset.body as { plugins: Array<{ plugin: string; version: string; config: unknown; enabled: boolean }>; usage: unknown[] };
    assert.deepEqual(detail.plugins.map((p) => [p.plugin, p.version, p.enabled]), [[XP, '1.1.0', true]]);
    assert.equal(detail.usage.length, 7);

    const audit = await alice.get(`/v1/tenants/${tenantId}/audit?limit=20`);
    const actions = (audit.body as { entries: Array<{ action: string; before: unknown; after: unknown; actorUserId: string }> }).entries.map((e) => e.action);
    assert.deepEqual(actions.slice(0, 6), ['plugin.upgrade', 'plugin.upgrade', 'plugin.enable', 'plugin.disable', 'plugin.configure', 'plugin.install']);
    const configure = (audit.body as { entries: Array<{ action: string; before: { config: unknown }; after: { config: unknown } }> }).entries.find((e) => e.action === 'plugin.configure')!;
    assert.deepEqual(configure.before.config, { minXp: 20 });
    assert.deepEqual(configure.after.config, { minXp: 30, channelId: '300000000000000001' });

    const desired = await world.anonymous().request('GET', `/internal/runner/guilds/${ids.guild}/desired-state`, undefined, { authorization: 'Bearer runner-token-for-tests-0123456789' });
    assert.equal(desired.status, 200);
    assert.deepEqual((desired.body as { plugins: Array<{ version: string }> }).plugins.map((p) => p.version), ['1.1.0']);
    assert.equal((desired.body as { tenantId: string }).tenantId, tenantId, 'runners name the tenant when they report an incident');
    await waitFor(() => notices.length >= 6);
    assert.ok(notices.every((g) => g === ids.guild), 'each notice names the guild that changed');
  } finally {
    subscriber.disconnect();
  }
});

test('a bad config, an unknown plugin, a bot missing from the guild: refused with a clear code and nothing written', async () => {
  const bad = await alice.put(`/v1/assets/${ids.guild}/plugins/${enc(XP)}/config`, { config: { minXp: 1000 } });
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { error: { code: string } }).error.code, 'CONFIG_INVALID');
  assert.match((bad.body as { error: { message: string } }).error.message, /minXp/);
  const unknown = await alice.post(`/v1/assets/${ids.guild}/plugins`, { plugin: '@test/nope', version: '^1.0.0', grants: [] });
  assert.equal(unknown.status, 404);
  assert.equal((unknown.body as { error: { code: string } }).error.code, 'PLUGIN_NOT_FOUND');
  const noBot = await alice.post(`/v1/assets/${ids.other}/plugins`, { plugin: XP, version: '^1.0.0', grants: ['storage', 'discord.messages.send'] });
  assert.equal(noBot.status, 409);
  const error = (noBot.body as { error: { code: string; hint: string } }).error;
  assert.equal(error.code, 'BOT_NOT_IN_GUILD');
  assert.match(error.hint, /permissions=2048/, 'the invite carries the permission integer of SendMessages');
  const assets = await alice.get(`/v1/assets/${ids.other}`);
  assert.deepEqual((assets.body as { plugins: unknown[] }).plugins, [], 'nothing was installed');
});

test('when the bot lacks a permission the plugin needs, the reply names it and links the fix', async () => {
  // as an admin would on Discord: take Send Messages from @everyone and from the bot's role
  const SEND = 1n << 11n;
  const roles = [...world.sim.state.guild(ids.guild).roles.values()];
  const saved = roles.map((r) => r.permissions);
  for (const r of roles) r.permissions &= ~SEND;
  try {
    await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/disable`);
    const res = await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/enable`);
    assert.equal(res.status, 409);
    const error = (res.body as { error: { code: string; message: string; hint: string } }).error;
    assert.equal(error.code, 'BOT_PERMISSION_MISSING');
    assert.match(error.message, /SendMessages/);
    assert.match(error.hint, /oauth2\/authorize\?client_id=townes-test-app&scope=bot\+applications\.commands&permissions=2048&guild_id=200000000000000001/);
  } finally {
    roles.forEach((r, i) => (r.permissions = saved[i]!));
  }
  assert.equal((await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/enable`)).status, 200);
});

test('a change that changes nothing (disabling what is disabled) answers 200 and writes no audit entry', async () => {
  const count = async () => Number((await world.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from api_audit_log'))[0]!.n);
  assert.equal((await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/disable`)).status, 200);
  const before = await count();
  const again = await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/disable`);
  assert.equal(again.status, 200);
  assert.equal((again.body as { enabled: boolean }).enabled, false);
  assert.equal(await count(), before, 'no second audit entry');
  assert.equal((await alice.post(`/v1/assets/${ids.guild}/features/${enc(XP)}/enable`)).status, 200);
  assert.equal(await count(), before + 1, 'a real change is audited');
});

test('uninstall removes the plugin and is audited; logout ends the session', async () => {
  const res = await alice.delete(`/v1/assets/${ids.guild}/plugins/${enc(XP)}`);
  assert.equal(res.status, 204);
  const again = await alice.delete(`/v1/assets/${ids.guild}/plugins/${enc(XP)}`);
  assert.equal(again.status, 404);
  const audit = await alice.get(`/v1/tenants/${tenantId}/audit?limit=1`);
  assert.equal((audit.body as { entries: Array<{ action: string; after: unknown }> }).entries[0]!.action, 'plugin.uninstall');
  assert.equal((await alice.post('/v1/auth/logout')).status, 204);
  const after = await alice.get('/v1/auth/session');
  assert.equal(after.status, 401);
  assert.equal((after.body as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
});

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
