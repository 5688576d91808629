/**
 * The REST routes the runner calls, with plain fetch: permission checks and Discord's error
 * bodies, role hierarchy, command bulk overwrite, interaction callback timing, rate-limit headers
 * and injected 429s. Every exchange is checked against Discord's OpenAPI spec.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { startDiscordSimulator, type DiscordSimulator, type SimGuild, type SimUser } from '@townesdev/sdk/simulator';
import { loadDiscordOpenApi } from './discord-openapi.ts';

const openapi = loadDiscordOpenApi();

describe('Discord simulator: REST', () => {
  let sim: DiscordSimulator;
  let owner: SimUser;
  let member: SimUser;
  let guild: SimGuild;
  let general: string;

  before(async () => {
    sim = await startDiscordSimulator({ interactions: { responseWindowMs: 300 } });
    owner = sim.state.addUser({ username: 'owner' });
    member = sim.state.addUser({ username: 'member' });
    guild = sim.state.addGuild({ name: 'Test Guild', ownerId: owner.id });
    sim.state.addMember(guild.id, member.id);
    general = [...guild.channels.keys()][0] as string;
  });
  after(() => sim.close());

  const bot = (): Record<string, string> => ({ authorization: `Bot ${sim.botToken}`, 'content-type': 'application/json' });
  async function call(method: string, path: string, body?: unknown, headers = bot()): Promise<{ status: number; json: unknown; headers: Headers }> {
    const res = await fetch(`${sim.apiBase}/v10${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
  }

  test('gateway/bot tells discord.js where the gateway is', async () => {
    const res = await call('GET', '/gateway/bot');
    assert.equal(res.status, 200);
    const body = res.json as { url: string; shards: number; session_start_limit: { max_concurrency: number } };
    assert.equal(body.url, sim.baseUrl.replace('http', 'ws'));
    assert.equal(body.shards, 1);
    assert.equal((await call('GET', '/gateway/bot', undefined, {})).status, 401);
  });

  test('guild, roles, member and user reads', async () => {
    const g = (await call('GET', `/guilds/${guild.id}`)).json as { id: string; roles: { id: string }[]; owner_id: string };
    assert.equal(g.owner_id, owner.id);
    assert.ok(g.roles.some((r) => r.id === guild.id), '@everyone has the guild id');
    const roles = (await call('GET', `/guilds/${guild.id}/roles`)).json as { name: string; managed: boolean }[];
    assert.ok(roles.some((r) => r.managed && r.name === sim.botUser.username), 'the bot has its managed role');
    const m = (await call('GET', `/guilds/${guild.id}/members/${member.id}`)).json as { user: { id: string } };
    assert.equal(m.user.id, member.id);
    const unknownMember = await call('GET', `/guilds/${guild.id}/members/123456789012345678`);
    assert.deepEqual([unknownMember.status, unknownMember.json], [404, { message: 'Unknown Member', code: 10007 }]);
    const u = (await call('GET', `/users/${member.id}`)).json as { username: string };
    assert.equal(u.username, 'member');
    assert.deepEqual((await call('GET', '/guilds/1')).json, { message: 'Unknown Guild', code: 10004 });
  });

  test('send a message; Missing Permissions when SEND_MESSAGES is withheld', async () => {
    const sent = await call('POST', `/channels/${general}/messages`, { content: 'hello', nonce: 'n-1', enforce_nonce: true });
    assert.equal(sent.status, 200);
    const message = sent.json as { id: string; content: string; author: { id: string }; channel_id: string };
    assert.equal(message.content, 'hello');
    assert.equal(message.author.id, sim.botUser.id);
    assert.deepEqual(sim.state.messagesIn(general).map((m) => m.content), ['hello']);

    const again = await call('POST', `/channels/${general}/messages`, { content: 'hello', nonce: 'n-1', enforce_nonce: true });
    assert.equal((again.json as { id: string }).id, message.id, 'enforce_nonce: the same message, not a second one');
    assert.equal(sim.state.messagesIn(general).length, 1);

    assert.deepEqual((await call('POST', `/channels/${general}/messages`, { content: '' })).json, { message: 'Cannot send an empty message', code: 50006 });

    sim.withholdBotPermissions(guild.id, PermissionFlagsBits.SendMessages);
    try {
      const refused = await call('POST', `/channels/${general}/messages`, { content: 'nope' });
      assert.deepEqual([refused.status, refused.json], [403, { message: 'Missing Permissions', code: 50013 }]);
    } finally {
      sim.state.restoreBotPermissions(guild.id);
    }
    const hidden = sim.state.addChannel(guild.id, { name: 'staff', permissionOverwrites: [{ id: guild.id, type: 0, deny: PermissionFlagsBits.ViewChannel }] });
    assert.deepEqual((await call('POST', `/channels/${hidden.id}/messages`, { content: 'x' })).json, { message: 'Missing Access', code: 50001 });
  });

  test('direct messages', async () => {
    const dm = (await call('POST', '/users/@me/channels', { recipient_id: member.id })).json as { id: string; type: number; recipients: { id: string }[] };
    assert.equal(dm.type, 1);
    assert.equal(dm.recipients[0]?.id, member.id);
    assert.equal((await call('POST', `/channels/${dm.id}/messages`, { content: 'psst' })).status, 200);
    const again = (await call('POST', '/users/@me/channels', { recipient_id: member.id })).json as { id: string };
    assert.equal(again.id, dm.id, 'one DM channel per user');
  });

  test('roles: MANAGE_ROLES and the hierarchy are enforced', async () => {
    const below = sim.state.addRole(guild.id, { name: 'member-role', permissions: 0n });
    assert.equal((await call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${below.id}`)).status, 204);
    assert.ok(sim.state.member(guild.id, member.id).roles.includes(below.id));
    assert.equal((await call('DELETE', `/guilds/${guild.id}/members/${member.id}/roles/${below.id}`)).status, 204);
    assert.ok(!sim.state.member(guild.id, member.id).roles.includes(below.id));

    const above = sim.state.addRole(guild.id, { name: 'admin', permissions: 0n, position: 99 });
    assert.deepEqual((await call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${above.id}`)).json, { message: 'Missing Permissions', code: 50013 });
    sim.withholdBotPermissions(guild.id, PermissionFlagsBits.ManageRoles);
    try {
      assert.equal((await call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/${below.id}`)).status, 403);
    } finally {
      sim.state.restoreBotPermissions(guild.id);
    }
    assert.deepEqual((await call('PUT', `/guilds/${guild.id}/members/${member.id}/roles/1`)).json, { message: 'Unknown Role', code: 10011 });
  });

  test('guild commands: bulk overwrite keeps ids by name, GET lists them', async () => {
    const path = `/applications/${sim.applicationId}/guilds/${guild.id}/commands`;
    const first = (await call('PUT', path, [{ name: 'rank', description: 'Your rank', type: 1 }, { name: 'top', description: 'Leaderboard' }])).json as { id: string; name: string }[];
    assert.deepEqual(first.map((c) => c.name), ['rank', 'top']);
    const second = (await call('PUT', path, [{ name: 'rank', description: 'Your rank (v2)' }])).json as { id: string }[];
    assert.equal(second[0]?.id, first[0]?.id);
    assert.equal(((await call('GET', path)).json as unknown[]).length, 1);
    const bad = await call('PUT', path, [{ name: 'Bad Name', description: 'x' }]);
    assert.equal(bad.status, 400);
    assert.equal((bad.json as { code: number }).code, 50035);
  });

  test('interaction callback: once, within the window; then followups through the webhook', async () => {
    const make = () => sim.interactions.create({ applicationId: sim.applicationId, type: 2, guildId: guild.id, channelId: general, userId: member.id, data: { name: 'rank' } });
    const first = make();
    const reply = await fetch(`${sim.apiBase}/v10/interactions/${first.id}/${first.token}/callback?with_response=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'Level 3' } }),
    });
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as { interaction: { id: string }; resource: { message: { content: string } } };
    assert.equal(body.resource.message.content, 'Level 3');
    const twice = await call('POST', `/interactions/${first.id}/${first.token}/callback`, { type: 4, data: { content: 'again' } }, { 'content-type': 'application/json' });
    assert.deepEqual([twice.status, twice.json], [400, { message: 'Interaction has already been acknowledged.', code: 40060 }]);

    const followup = await call('POST', `/webhooks/${sim.applicationId}/${first.token}?wait=true`, { content: 'more' }, { 'content-type': 'application/json' });
    assert.equal(followup.status, 200);
    const edited = await call('PATCH', `/webhooks/${sim.applicationId}/${first.token}/messages/@original`, { content: 'Level 4' }, { 'content-type': 'application/json' });
    assert.equal((edited.json as { content: string }).content, 'Level 4');

    const late = make();
    await new Promise((resolve) => setTimeout(resolve, 350));
    const tooLate = await call('POST', `/interactions/${late.id}/${late.token}/callback`, { type: 4, data: { content: 'late' } }, { 'content-type': 'application/json' });
    assert.deepEqual([tooLate.status, tooLate.json], [404, { message: 'Unknown interaction', code: 10062 }]);
  });

  test('rate-limit headers on every reply; an injected 429 has Discord headers and body', async () => {
    const ok = await call('GET', `/guilds/${guild.id}/roles`);
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) assert.ok(ok.headers.get(h), h);
    const fault = sim.faults.rateLimit({ route: `/channels/${general}/messages`, method: 'POST', count: 1, retryAfterMs: 250 });
    const limited = await call('POST', `/channels/${general}/messages`, { content: 'x' });
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.json, { message: 'You are being rate limited.', retry_after: 0.25, global: false });
    assert.equal(limited.headers.get('retry-after'), '0.250');
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(limited.headers.get('x-ratelimit-scope'), 'user');
    assert.equal(fault.hits, 1);
    assert.equal((await call('POST', `/channels/${general}/messages`, { content: 'x' })).status, 200, 'only count requests are refused');

    sim.faults.rateLimit({ global: true, retryAfterMs: 100 });
    const global = await call('GET', `/guilds/${guild.id}`);
    assert.equal(global.headers.get('x-ratelimit-global'), 'true');
    assert.equal((global.json as { global: boolean }).global, true);
    assert.equal(sim.recorded.matching({ status: 429 }).length, 2, 'the 429s are recorded');
  });

  test('every request and reply above conforms to the OpenAPI spec', () => {
    const errors = sim.recorded.flatMap((r) => openapi.exchangeErrors(r));
    assert.deepEqual(errors, []);
    assert.ok(sim.recorded.length > 30);
  });

  test('the buckets are enforced like Discord for clients that ignore the headers', async () => {
    const small = await startDiscordSimulator({ rateLimits: { limit: 2, windowMs: 60_000 } });
    try {
      const get = () => fetch(`${small.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${small.botToken}` } });
      assert.equal((await get()).headers.get('x-ratelimit-remaining'), '1');
      assert.equal((await get()).status, 200);
      const third = await get();
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
    } finally {
      await small.close();
    }
  });
});
