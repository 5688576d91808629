import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publishTestPlugin } from './support/test-plugins.ts';
import { startApiWorld, type ApiWorld } from './support/api-world.ts';
import { HttpClient } from './support/http-client.ts';

let world: ApiWorld;
const USER = '140000000000000001';
const GUILD = '240000000000000001';
const LATE = '240000000000000002';
const P = encodeURIComponent('@test/cached');

before(async () => {
  world = await startApiWorld();
  world.sim.state.addUser({ id: USER, username: 'cache-user' });
  world.sim.state.addGuild({ id: GUILD, name: 'Cached', ownerId: USER });
  await publishTestPlugin(world.registry, world.publisherKey, { name: '@test/cached', version: '1.0.0' });
});

after(async () => {
  await world?.close();
});

/** The same session on another API instance. */
function sameSessionOn(baseUrl: string, client: HttpClient): HttpClient {
  const other = new HttpClient(baseUrl);
  for (const [k, v] of client.cookies) other.cookies.set(k, v);
  return other;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a change made through one API instance shows on another that had the guild cached', async () => {
  const a = await world.login(USER);
  const b = sameSessionOn(await world.secondInstance(), a);
  assert.deepEqual(((await b.get(`/v1/assets/${GUILD}`)).body as { plugins: unknown[] }).plugins, [], 'b caches the empty guild');
  assert.equal((await a.post(`/v1/assets/${GUILD}/plugins`, { plugin: '@test/cached', version: '1.0.0', grants: [] })).status, 201);
  assert.deepEqual(((await a.get(`/v1/assets/${GUILD}`)).body as { plugins: Array<{ enabled: boolean }> }).plugins.map((p) => p.enabled), [true], 'read-your-writes on a');
  await eventually(async () => ((await b.get(`/v1/assets/${GUILD}`)).body as { plugins: unknown[] }).plugins.length === 1, 'b to see the install');
  assert.equal((await a.post(`/v1/assets/${GUILD}/features/${P}/disable`)).status, 200);
  await eventually(async () => ((await b.get(`/v1/assets/${GUILD}`)).body as { plugins: Array<{ enabled: boolean }> }).plugins[0]?.enabled === false, 'b to see the disable');
});

test('a logout on one instance ends the session on every instance', async () => {
  const a = await world.login(USER);
  const b = sameSessionOn(await world.secondInstance(), a);
  assert.equal((await b.get(`/v1/assets/${GUILD}`)).status, 200, 'b has the session cached');
  assert.equal((await a.post('/v1/auth/logout')).status, 204);
  await eventually(async () => (await b.get(`/v1/assets/${GUILD}`)).status === 401, 'b to refuse the ended session');
});

test('a guild asked for before it was claimed is found once a login claims it', async () => {
  const a = await world.login(USER);
  assert.equal((await a.get(`/v1/assets/${LATE}`)).status, 404);
  world.sim.state.addGuild({ id: LATE, name: 'Late', ownerId: USER });
  const again = await world.login(USER);
  assert.equal((await again.get(`/v1/assets/${LATE}`)).status, 200, '"no such guild" is never cached');
});
