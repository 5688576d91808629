import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publishTestPlugin } from './support/test-plugins.ts';
import { RUNNER_TOKEN, startApiWorld, type ApiWorld } from './support/api-world.ts';
import type { HttpClient, HttpReply } from './support/http-client.ts';

let world: ApiWorld;
let alice: HttpClient;
let bob: HttpClient;
let aliceTenant: string;
const ids = { alice: '110000000000000001', bob: '110000000000000002', dave: '110000000000000004', absentOwner: '110000000000000005', aliceGuild: '210000000000000001', bobGuild: '210000000000000002', daveGuild: '210000000000000004' };
const XP = '@test/xp';
const enc = encodeURIComponent;
const codeOf = (r: HttpReply) => (r.body as { error?: { code: string } }).error?.code;

async function auditCount(): Promise<number> {
  const rows = await world.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from api_audit_log');
  return Number(rows[0]!.n);
}

before(async () => {
  world = await startApiWorld();
  const { state } = world.sim;
  for (const [id, username] of [[ids.alice, 'alice'], [ids.bob, 'bob'], [ids.dave, 'dave'], [ids.absentOwner, 'owner']] as const) state.addUser({ id, username });
  state.addGuild({ id: ids.aliceGuild, name: 'Alice HQ', ownerId: ids.alice });
  state.addGuild({ id: ids.bobGuild, name: 'Bob Town', ownerId: ids.bob });
  state.addGuild({ id: ids.daveGuild, name: 'Dave Den', ownerId: ids.absentOwner });
  // bob is a plain member of alice's guild: he sees it on Discord but may not manage it
  state.addMember(ids.aliceGuild, ids.bob);
  const moderators = state.addRole(ids.daveGuild, { name: 'mods', permissions: 1n << 5n /* MANAGE_GUILD */ });
  state.addMember(ids.daveGuild, ids.dave, { roles: [moderators.id] });
  await publishTestPlugin(world.registry, world.publisherKey, { name: XP, version: '1.0.0', permissions: ['storage'] });
  for (let i = 1; i <= 4; i++) await publishTestPlugin(world.registry, world.publisherKey, { name: `@test/p${i}`, version: '1.0.0' });
  alice = await world.login(ids.alice);
  bob = await world.login(ids.bob);
  aliceTenant = ((await alice.get('/v1/auth/session')).body as { tenant: { id: string } }).tenant.id;
});

after(async () => {
  await world?.close();
});

test('every guild route needs a login', async () => {
  const anon = world.anonymous();
  for (const [method, path] of [['GET', `/v1/assets/${ids.aliceGuild}`], ['POST', `/v1/assets/${ids.aliceGuild}/features/${enc(XP)}/enable`], ['GET', `/v1/tenants/${aliceTenant}/assets`], ['GET', `/v1/usage/${ids.aliceGuild}/daily`]] as const) {
    const res = await anon.request(method, path);
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.equal(codeOf(res), 'UNAUTHENTICATED');
  }
});

test("cross-tenant: bob cannot read or change alice's guild or tenant (404, as if absent), and nothing is written", async () => {
  assert.equal((await alice.post(`/v1/assets/${ids.aliceGuild}/plugins`, { plugin: XP, version: '1.0.0', grants: ['storage'] })).status, 201);
  const before = await auditCount();
  const attempts: HttpReply[] = [
    await bob.get(`/v1/assets/${ids.aliceGuild}`),
    await bob.get(`/v1/tenants/${aliceTenant}/assets`),
    await bob.get(`/v1/tenants/${aliceTenant}/audit`),
    await bob.get(`/v1/usage/${ids.aliceGuild}/daily`),
    await bob.post(`/v1/assets/${ids.aliceGuild}/features/${enc(XP)}/disable`),
    await bob.put(`/v1/assets/${ids.aliceGuild}/plugins/${enc(XP)}/config`, { config: {} }),
    await bob.delete(`/v1/assets/${ids.aliceGuild}/plugins/${enc(XP)}`),
    await bob.post(`/v1/assets/${ids.aliceGuild}/plugins`, { plugin: '@test/p1', version: '1.0.0', grants: [] }),
    await bob.post('/v1/incidents', { tenantId: aliceTenant, severity: 'info', title: 'not mine' }),
  ];
  for (const res of attempts) {
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(codeOf(res), 'NOT_FOUND');
  }
  assert.equal(await auditCount(), before, 'no audit entry: nothing changed');
  const asset = await alice.get(`/v1/assets/${ids.aliceGuild}`);
  assert.deepEqual((asset.body as { plugins: Array<{ enabled: boolean }> }).plugins.map((p) => p.enabled), [true]);
});

test('a member without Manage Server is refused (403) even inside their own tenant', async () => {
  // dave claims Dave Den while he has Manage Server through a role, then loses the role
  const dave = await world.login(ids.dave);
  const mine = ((await dave.get('/v1/auth/session')).body as { tenant: { id: string } }).tenant.id;
  const assets = (await dave.get(`/v1/tenants/${mine}/assets`)).body as { assets: Array<{ id: string }> };
  assert.deepEqual(assets.assets.map((a) => a.id), [ids.daveGuild]);
  world.sim.state.member(ids.daveGuild, ids.dave).roles.length = 0;
  // the session from before still says Manage Server; Discord, asked at the change, does not
  const stale = await dave.post(`/v1/assets/${ids.daveGuild}/plugins`, { plugin: XP, version: '1.0.0', grants: ['storage'] });
  assert.equal(stale.status, 403, JSON.stringify(stale.body));
  assert.match((stale.body as { error: { message: string } }).error.message, /Discord says you no longer have the Manage Server permission/);
  const demoted = await world.login(ids.dave);
  const res = await demoted.post(`/v1/assets/${ids.daveGuild}/plugins`, { plugin: XP, version: '1.0.0', grants: ['storage'] });
  assert.equal(res.status, 403);
  assert.equal(codeOf(res), 'MANAGE_GUILD_REQUIRED');
  assert.match((res.body as { error: { hint: string } }).error.hint, /Manage Server/);
});

test("the plan's plugin limit is enforced with a hint", async () => {
  for (const p of ['@test/p1', '@test/p2']) assert.equal((await alice.post(`/v1/assets/${ids.aliceGuild}/plugins`, { plugin: p, version: '1.0.0', grants: [] })).status, 201);
  const res = await alice.post(`/v1/assets/${ids.aliceGuild}/plugins`, { plugin: '@test/p3', version: '1.0.0', grants: [] });
  assert.equal(res.status, 403);
  assert.equal(codeOf(res), 'PLAN_LIMIT');
  assert.match((res.body as { error: { hint: string } }).error.hint, /upgrade the plan/);
});

test('the runner routes need the runner token', async () => {
  const anon = world.anonymous();
  assert.equal((await anon.get('/internal/runner/guilds')).status, 401);
  assert.equal(codeOf(await anon.request('GET', '/internal/runner/guilds', undefined, { authorization: 'Bearer wrong' })), 'RUNNER_UNAUTHENTICATED');
  assert.equal(codeOf(await alice.get('/internal/runner/guilds')), 'RUNNER_UNAUTHENTICATED', 'a session is not a runner');
  const ok = await anon.request('GET', '/internal/runner/guilds', undefined, { authorization: `Bearer ${RUNNER_TOKEN}` });
  assert.equal(ok.status, 200);
  assert.deepEqual((ok.body as { guilds: string[] }).guilds, [ids.aliceGuild]);
});

test('a forged or replayed OAuth state is refused, and no tenant is created', async () => {
  const client = world.anonymous();
  const start = await client.get('/v1/auth/discord/login');
  const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
  const { code } = world.sim.oauth.authorize({ userId: ids.bob, clientId: 'townes-test-app', redirectUri: 'http://app.townes.test/auth/callback', scope: 'identify guilds', state });
  const forged = await client.post('/v1/auth/discord/callback', { code, state: 'forged-state-value' });
  assert.equal(forged.status, 400);
  assert.equal(codeOf(forged), 'OAUTH_STATE_INVALID');
  const ok = await client.post('/v1/auth/discord/callback', { code, state });
  assert.equal(ok.status, 200);
  const replay = await client.post('/v1/auth/discord/callback', { code, state });
  assert.equal(codeOf(replay), 'OAUTH_STATE_INVALID', 'a state works once');
});

test('readyz reports PostgreSQL and Redis; healthz answers', async () => {
  const anon = world.anonymous();
  assert.deepEqual((await anon.get('/healthz')).body, { ok: true });
  const ready = await anon.get('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body, { ready: true, checks: { postgres: { ok: true }, redis: { ok: true } } });
});
