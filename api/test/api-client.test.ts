import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClientError, createApiClient, type ApiClient } from '../src/client/index.ts';
import { publishTestPlugin } from './support/test-plugins.ts';
import { startApiWorld, type ApiWorld } from './support/api-world.ts';

let world: ApiWorld;
let client: ApiClient;
const USER = '130000000000000001';
const GUILD = '230000000000000001';

before(async () => {
  world = await startApiWorld();
  world.sim.state.addUser({ id: USER, username: 'webapp-user' });
  world.sim.state.addGuild({ id: GUILD, name: 'Client Guild', ownerId: USER });
  await publishTestPlugin(world.registry, world.publisherKey, { name: '@test/hello', version: '1.0.0', permissions: ['discord.messages.send'] });
  const http = await world.login(USER);
  // what a browser does with credentials: 'include'; here the session cookie goes in by hand
  client = createApiClient({ baseUrl: world.baseUrl, headers: { cookie: [...http.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
});

after(async () => {
  await world?.close();
});

test('the typed client drives the marketplace and parses every reply with the routes’ schemas', async () => {
  const session = await client.session();
  const { assets } = await client.listAssets(session.tenant.id);
  assert.deepEqual(assets.map((a) => a.id), [GUILD]);
  const catalog = await client.listCatalog({ query: 'hello' });
  assert.deepEqual(catalog.plugins.map((p) => p.name), ['@test/hello']);
  const plugin = await client.getCatalogPlugin('@test/hello');
  assert.deepEqual(plugin.versions[0]!.permissions, ['discord.messages.send']);
  const installed = await client.installPlugin(GUILD, { plugin: '@test/hello', version: '^1.0.0', grants: ['discord.messages.send'] });
  assert.equal(installed.version, '1.0.0');
  assert.equal((await client.disableFeature(GUILD, '@test/hello')).enabled, false);
  const detail = await client.getAsset(GUILD);
  assert.deepEqual(detail.plugins.map((p) => [p.plugin, p.enabled]), [['@test/hello', false]]);
  const usage = await client.dailyUsage(GUILD, { from: '2026-11-01', to: '2026-11-03' });
  assert.deepEqual(usage.days.map((d) => d.day), ['2026-11-01', '2026-11-02', '2026-11-03']);
  const incident = await client.createIncident({ tenantId: session.tenant.id, guildId: GUILD, severity: 'warning', title: 'Welcome channel deleted' });
  assert.equal(incident.source, `user:${USER}`);
  assert.deepEqual((await client.listIncidents(session.tenant.id)).incidents.map((i) => i.title), ['Welcome channel deleted']);
  const audit = await client.listAudit(session.tenant.id, { limit: 2 });
  assert.deepEqual(audit.entries.map((e) => e.action), ['incident.create', 'plugin.disable']);
  await client.uninstallPlugin(GUILD, '@test/hello');
});

test('a refusal is an ApiClientError with the code, hint and request id', async () => {
  await assert.rejects(client.installPlugin(GUILD, { plugin: '@test/hello', version: '^1.0.0', grants: [] }), (error: unknown) => {
    assert.ok(error instanceof ApiClientError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'GRANT_INSUFFICIENT');
    assert.match(error.hint ?? '', /discord\.messages\.send/);
    assert.ok(error.requestId.length > 0);
    return true;
  });
});
