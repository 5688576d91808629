/**
 * Discord OAuth2 against the simulator with plain fetch, as the control plane's "log in with
 * Discord" does it: consent page → code → token → /users/@me → /users/@me/guilds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { ALL_PERMISSIONS, startDiscordSimulator, type DiscordSimulator, type SimUser } from '@townesdev/sdk/simulator';
import { loadDiscordOpenApi } from './discord-openapi.ts';

const CLIENT = { clientId: '111122223333444455', clientSecret: 's3cret', redirectUris: ['http://127.0.0.1:9/callback'] };
const REDIRECT = CLIENT.redirectUris[0] as string;
const openapi = loadDiscordOpenApi();

describe('Discord simulator: OAuth2', () => {
  let sim: DiscordSimulator;
  let alice: SimUser;
  let bob: SimUser;
  const ids = { owned: '', moderated: '', plain: '', foreign: '', modRole: '' };

  before(async () => {
    sim = await startDiscordSimulator();
    sim.oauth.registerApp(CLIENT);
    alice = sim.state.addUser({ username: 'alice', globalName: 'Alice' });
    bob = sim.state.addUser({ username: 'bob' });
    ids.owned = sim.state.addGuild({ name: 'Alice HQ', ownerId: alice.id }).id;
    const moderated = sim.state.addGuild({ name: 'Bob Mods', ownerId: bob.id });
    ids.moderated = moderated.id;
    ids.modRole = sim.state.addRole(moderated.id, { name: 'mod', permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.KickMembers }).id;
    sim.state.addMember(moderated.id, alice.id, { roles: [ids.modRole] });
    const plain = sim.state.addGuild({ name: 'Bob Plain', ownerId: bob.id });
    ids.plain = plain.id;
    sim.state.addMember(plain.id, alice.id);
    ids.foreign = sim.state.addGuild({ name: 'Bob Only', ownerId: bob.id }).id;
  });
  after(() => sim.close());

  async function authorize(query: Record<string, string>): Promise<Response> {
    const url = new URL(sim.authorizeUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  async function token(form: Record<string, string>, basic = true): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams(form);
    if (basic) headers.authorization = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;
    else {
      body.set('client_id', CLIENT.clientId);
      body.set('client_secret', CLIENT.clientSecret);
    }
    return fetch(`${sim.apiBase}/oauth2/token`, { method: 'POST', headers, body });
  }

  async function codeFor(userId: string, scope = 'identify guilds'): Promise<string> {
    const res = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', scope, state: 'xyz', sim_user: userId });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'xyz');
    return location.searchParams.get('code') ?? '';
  }

  test('authorize → token → @me → @me/guilds with permissions computed like Discord', async () => {
    const code = await codeFor(alice.id);
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(res.status, 200);
    const tokens = (await res.json()) as { access_token: string; token_type: string; expires_in: number; refresh_token: string; scope: string };
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 604800);
    assert.equal(tokens.scope, 'identify guilds');
    assert.ok(tokens.refresh_token.length > 20);

    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const me = (await (await fetch(`${sim.apiBase}/v10/users/@me`, { headers: auth })).json()) as Record<string, unknown>;
    assert.equal(me.id, alice.id);
    assert.equal(me.username, 'alice');
    assert.equal(me.global_name, 'Alice');
    assert.equal('email' in me, false, 'no email without the email scope');
    const unversioned = (await (await fetch(`${sim.apiBase}/users/@me`, { headers: auth })).json()) as Record<string, unknown>;
    assert.equal(unversioned.id, alice.id);

    const guildsRes = await fetch(`${sim.apiBase}/v10/users/@me/guilds?with_counts=true`, { headers: auth });
    assert.equal(guildsRes.status, 200);
    assert.ok(guildsRes.headers.get('x-ratelimit-bucket'), 'rate-limit headers on REST replies');
    const guilds = (await guildsRes.json()) as { id: string; owner: boolean; permissions: string; approximate_member_count?: number }[];
    const byId = new Map(guilds.map((g) => [g.id, g]));
    assert.deepEqual(new Set(byId.keys()), new Set([ids.owned, ids.moderated, ids.plain]), 'only the guilds alice is in');
    assert.equal(byId.get(ids.owned)?.owner, true);
    assert.equal(byId.get(ids.owned)?.permissions, ALL_PERMISSIONS.toString(), 'the owner has every permission');
    const everyone = sim.state.guild(ids.moderated).roles.get(ids.moderated)?.permissions ?? 0n;
    const expectedMod = everyone | PermissionFlagsBits.ManageGuild | PermissionFlagsBits.KickMembers;
    assert.equal(byId.get(ids.moderated)?.permissions, expectedMod.toString(), '@everyone OR the member roles');
    assert.equal(byId.get(ids.plain)?.permissions, everyone.toString());
    assert.equal(byId.get(ids.plain)?.approximate_member_count, 3, 'owner, bot and alice');

    for (const r of sim.recorded.matching({ path: /^\/users\/@me/ })) assert.deepEqual(openapi.exchangeErrors(r), [], `${r.method} ${r.route}`);
    const recordedToken = sim.recorded.matching({ method: 'POST', path: '/oauth2/token' })[0];
    assert.equal(recordedToken?.headers.authorization, 'Basic [masked]', 'secrets are masked in the log');
  });

  test('an administrator role means every permission', async () => {
    const admin = sim.state.addRole(ids.plain, { name: 'admin', permissions: PermissionFlagsBits.Administrator.toString() });
    sim.state.member(ids.plain, alice.id).roles.push(admin.id);
    try {
      const tokens = (await (await token({ grant_type: 'authorization_code', code: await codeFor(alice.id), redirect_uri: REDIRECT }, false)).json()) as { access_token: string };
      const guilds = (await (await fetch(`${sim.apiBase}/v10/users/@me/guilds`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as { id: string; permissions: string }[];
      assert.equal(guilds.find((g) => g.id === ids.plain)?.permissions, ALL_PERMISSIONS.toString());
    } finally {
      sim.state.member(ids.plain, alice.id).roles = [];
    }
  });

  test('codes are single-use; wrong secret, redirect or code are refused like Discord', async () => {
    const code = await codeFor(bob.id);
    const wrongSecret = await fetch(`${sim.apiBase}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:nope`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(await wrongSecret.json(), { error: 'invalid_client' });

    const wrongRedirect = await token({ grant_type: 'authorization_code', code: await codeFor(bob.id), redirect_uri: 'http://127.0.0.1:9/other' });
    assert.equal(wrongRedirect.status, 400);
    assert.equal(((await wrongRedirect.json()) as { error: string }).error, 'invalid_grant');

    assert.equal((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).status, 200);
    const reused = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(reused.status, 400);
    assert.deepEqual(await reused.json(), { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });

    const unsupported = await token({ grant_type: 'password' });
    assert.deepEqual(await unsupported.json(), { error: 'unsupported_grant_type' });
  });

  test('expired codes are refused', async () => {
    const code = await codeFor(bob.id);
    sim.oauth.expireAll();
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  test('the consent page refuses unknown clients and redirect URIs, and redirects scope errors', async () => {
    const unknown = await authorize({ client_id: '999', redirect_uri: REDIRECT, response_type: 'code', scope: 'identify', sim_user: alice.id });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { message: 'Unknown Application', code: 10002 });

    const badRedirect = await authorize({ client_id: CLIENT.clientId, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'identify', sim_user: alice.id });
    assert.equal(badRedirect.status, 400);
    assert.equal(((await badRedirect.json()) as { message: string }).message, 'Invalid OAuth2 redirect_uri');

    const badScope = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'identify nonsense', state: 's', sim_user: alice.id });
    assert.equal(badScope.status, 302);
    const location = new URL(badScope.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
    assert.equal(location.searchParams.get('state'), 's');

    const denied = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'identify', sim_deny: '1' });
    assert.equal(new URL(denied.headers.get('location') ?? '').searchParams.get('error'), 'access_denied');

    const page = await authorize({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'identify' });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(`sim_user=${alice.id}`), 'the page lists the simulated users to sign in as');
    assert.doesNotMatch(html, new RegExp(`sim_user=${sim.botUser.id}`), 'but not the bot');
  });

  test('refresh rotates the refresh token; revoke stops the access token; scopes gate routes', async () => {
    const first = (await (await token({ grant_type: 'authorization_code', code: await codeFor(alice.id, 'identify'), redirect_uri: REDIRECT })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const noGuilds = await fetch(`${sim.apiBase}/v10/users/@me/guilds`, { headers: { authorization: `Bearer ${first.access_token}` } });
    assert.equal(noGuilds.status, 401, 'the guilds scope is needed');
    assert.deepEqual(await noGuilds.json(), { message: '401: Unauthorized', code: 0 });

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(refreshed.status, 200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string; scope: string };
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.scope, 'identify');
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).status, 400, 'the old refresh token is spent');

    const revoke = await fetch(`${sim.apiBase}/oauth2/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: second.access_token, token_type_hint: 'access_token', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }),
    });
    assert.equal(revoke.status, 200);
    const after = await fetch(`${sim.apiBase}/v10/users/@me`, { headers: { authorization: `Bearer ${second.access_token}` } });
    assert.equal(after.status, 401);
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).status, 400, 'revoking revokes the grant');
  });

  test('the bot token reads /users/@me and the bot guilds; a wrong token is 401', async () => {
    const me = (await (await fetch(`${sim.apiBase}/v10/users/@me`, { headers: { authorization: `Bot ${sim.botToken}` } })).json()) as { id: string; bot: boolean };
    assert.equal(me.id, sim.botUser.id);
    assert.equal(me.bot, true);
    const guilds = (await (await fetch(`${sim.apiBase}/v10/users/@me/guilds`, { headers: { authorization: `Bot ${sim.botToken}` } })).json()) as unknown[];
    assert.equal(guilds.length, 4);
    assert.equal((await fetch(`${sim.apiBase}/v10/users/@me`, { headers: { authorization: 'Bot wrong' } })).status, 401);
    assert.equal((await fetch(`${sim.apiBase}/v10/users/@me`)).status, 401);
  });

  test('the programmatic authorize() gives the same code flow', async () => {
    const { code, location } = sim.oauth.authorize({ userId: bob.id, clientId: CLIENT.clientId, redirectUri: REDIRECT, scope: 'identify', state: 'st' });
    assert.equal(new URL(location).searchParams.get('code'), code);
    assert.equal((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).status, 200);
    assert.throws(() => sim.oauth.authorize({ userId: bob.id, clientId: CLIENT.clientId, redirectUri: 'http://x/', scope: 'identify' }), /redirect_uri/);
  });
});
