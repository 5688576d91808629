import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorReply } from '@townesdev/plugin-contract';
import { RUNNER_TOKEN, startApiWorld, type ApiWorld } from './support/api-world.ts';
import type { HttpClient } from './support/http-client.ts';

let world: ApiWorld;
let alice: HttpClient;
let tenant = '';
const ALICE = '120000000000000001';
const GUILD = '220000000000000001';
const XP = encodeURIComponent('@test/xp');

before(async () => {
  world = await startApiWorld();
  world.sim.state.addUser({ id: ALICE, username: 'alice' });
  world.sim.state.addGuild({ id: GUILD, name: 'Alpha', ownerId: ALICE });
  alice = await world.login(ALICE);
  tenant = ((await alice.get('/v1/auth/session')).body as { tenant: { id: string } }).tenant.id;
});

after(async () => {
  await world?.close();
});

type Case = [who: 'alice' | 'anon' | 'runner', method: string, path: () => string, body?: unknown, headers?: Record<string, string>];

const CASES: Case[] = [
  ['anon', 'POST', () => '/v1/auth/discord/callback', {}],
  ['anon', 'POST', () => '/v1/auth/discord/callback', { code: 1, state: 2 }],
  ['anon', 'POST', () => '/v1/auth/discord/callback', { code: '', state: '' }],
  ['anon', 'POST', () => '/v1/auth/discord/callback', { code: 'x'.repeat(600), state: 's' }],
  ['anon', 'POST', () => '/v1/auth/discord/callback', { code: 'c', state: 's', admin: true }],
  ['anon', 'POST', () => '/v1/auth/discord/callback', '{"code": "c", "state":'],
  ['anon', 'POST', () => '/v1/auth/discord/callback', 'code=c&state=s', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['anon', 'POST', () => '/v1/auth/discord/callback', 'null'],
  ['anon', 'POST', () => '/v1/auth/discord/callback', '[]'],
  ['alice', 'GET', () => '/v1/tenants/not-a-uuid/assets'],
  ['alice', 'GET', () => '/v1/assets/abc'],
  ['alice', 'GET', () => `/v1/assets/${'9'.repeat(40)}`],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, {}],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: 'Not A Name', grants: [] }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: ['root'] }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: 'storage' }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: [], version: '' }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: [], version: 'not-a-range!!' }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: [], config: 'x' }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: [], enabled: 'yes' }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins`, { plugin: '@test/xp', grants: [], extra: 1 }],
  ['alice', 'PUT', () => `/v1/assets/${GUILD}/plugins/${XP}/config`, { config: [] }],
  ['alice', 'PUT', () => `/v1/assets/${GUILD}/plugins/${XP}/config`, {}],
  ['alice', 'PUT', () => `/v1/assets/${GUILD}/plugins/not%20a%20name/config`, { config: {} }],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins/${XP}/upgrade`, {}],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/plugins/${XP}/upgrade`, { version: 5 }],
  ['alice', 'DELETE', () => `/v1/assets/${GUILD}/plugins/%E0%A4%A`],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/features/UPPER/enable`],
  ['alice', 'POST', () => `/v1/assets/${GUILD}/features/${XP}/toggle`],
  ['alice', 'GET', () => `/v1/usage/${GUILD}/daily?from=2026-13-01`],
  ['alice', 'GET', () => `/v1/usage/${GUILD}/daily?from=2026-02-01&to=2026-01-01`],
  ['alice', 'GET', () => `/v1/usage/${GUILD}/daily?from=2020-01-01&to=2026-01-01`],
  ['alice', 'POST', () => '/v1/incidents', {}],
  ['alice', 'POST', () => '/v1/incidents', { tenantId: tenant, severity: 'apocalyptic', title: 'x' }],
  ['alice', 'POST', () => '/v1/incidents', { tenantId: 'nope', severity: 'info', title: 'x' }],
  ['alice', 'POST', () => '/v1/incidents', { tenantId: tenant, severity: 'info', title: '' }],
  ['alice', 'GET', () => `/v1/tenants/${tenant}/incidents?limit=0`],
  ['alice', 'GET', () => `/v1/tenants/${tenant}/audit?before=abc`],
  ['alice', 'GET', () => `/v1/tenants/${tenant}/audit?limit=100000`],
  ['anon', 'GET', () => '/v1/marketplace/plugins?limit=1000'],
  ['anon', 'GET', () => '/v1/marketplace/plugins?offset=-1'],
  ['anon', 'GET', () => '/v1/marketplace/plugins/%20'],
  ['runner', 'GET', () => '/internal/runner/guilds?limit=-1'],
  ['runner', 'GET', () => '/internal/runner/guilds?after=abc'],
  ['runner', 'GET', () => '/internal/runner/guilds/abc/desired-state'],
  ['runner', 'POST', () => '/internal/runner/usage', { counts: [{ guildId: GUILD, day: '2026-11-25', metric: 'bitcoins', value: 1 }] }],
  ['runner', 'POST', () => '/internal/runner/usage', { counts: [{ guildId: GUILD, day: 'yesterday', metric: 'events', value: -1 }] }],
  ['runner', 'POST', () => '/internal/runner/usage', { counts: 'all' }],
  // values the schemas let through but PostgreSQL cannot store: still the caller's input, so 400
  ['alice', 'POST', () => '/v1/incidents', { tenantId: tenant, severity: 'info', title: 'nul \u0000 inside' }],
  ['runner', 'POST', () => '/v1/incidents', { tenantId: tenant, severity: 'info', title: 'ok', detail: 'nul \u0000 inside' }],
  ['anon', 'GET', () => '/v1/marketplace/plugins?query=%00'],
  ['alice', 'GET', () => `/v1/usage/${GUILD}/daily?from=0000-01-01&to=0000-01-02`],
  ['anon', 'GET', () => '/v1/nothing-here'],
  ['anon', 'DELETE', () => '/healthz'],
  ['anon', 'POST', () => '/v1/auth/discord/callback', JSON.stringify({ code: 'c', state: 'x'.repeat(2 * 1024 * 1024) })],
];

test('every malformed request answers 4xx in the one error shape with its request id, never 500', async () => {
  const seen = new Map<number, number>();
  for (const [who, method, path, body, headers] of CASES) {
    const client = who === 'alice' ? alice : world.anonymous();
    const h = { ...(who === 'runner' ? { authorization: `Bearer ${RUNNER_TOKEN}` } : {}), ...headers };
    const res = await client.request(method, path(), body, h);
    const label = `${method} ${path()} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body)?.slice(0, 60)} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`;
    assert.ok(res.status >= 400 && res.status < 500, label);
    const parsed = ErrorReply.safeParse(res.body);
    assert.ok(parsed.success, `not the error shape: ${label}`);
    assert.equal(parsed.data.error.requestId, res.headers.get('x-request-id'), label);
    seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  }
  assert.ok((seen.get(400) ?? 0) >= 30, `mostly 400s: ${JSON.stringify([...seen])}`);
  assert.ok(seen.has(404) && seen.has(413), `route-not-found and body-too-large are covered: ${JSON.stringify([...seen])}`);
});

test('a usage batch naming the same guild, day and metric twice adds both, in one statement', async () => {
  const runner = { authorization: `Bearer ${RUNNER_TOKEN}` };
  const count = { guildId: GUILD, day: '2026-11-20', metric: 'events', value: 2 };
  const res = await world.anonymous().request('POST', '/internal/runner/usage', { counts: [count, { ...count, value: 3 }] }, runner);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const usage = await alice.get(`/v1/usage/${GUILD}/daily?from=2026-11-20&to=2026-11-20`);
  assert.equal((usage.body as { days: Array<{ events: number }> }).days[0]!.events, 5);
});

test('a caller-supplied request id is kept and echoed; a malformed one is replaced', async () => {
  const anon = world.anonymous();
  const kept = await anon.request('GET', '/v1/assets/abc', undefined, { 'x-request-id': 'web-app-7f3a9c21' });
  assert.equal(kept.headers.get('x-request-id'), 'web-app-7f3a9c21');
  const replaced = await anon.request('GET', '/healthz', undefined, { 'x-request-id': 'bad id with spaces and ; ' });
  assert.match(replaced.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
});

test('security headers are set and CORS allows only the web app origin, with credentials', async () => {
  const ok = await fetch(`${world.baseUrl}/healthz`, { headers: { origin: 'http://app.townes.test' } });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://app.townes.test');
  assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(ok.headers.get('strict-transport-security'));
  const evil = await fetch(`${world.baseUrl}/healthz`, { headers: { origin: 'https://evil.example' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});
