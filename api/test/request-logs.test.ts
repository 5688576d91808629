import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApiWorld, type ApiWorld } from './support/api-world.ts';

const lines: Array<Record<string, unknown>> = [];
let world: ApiWorld;
const USER = '160000000000000001';
const GUILD = '260000000000000001';

before(async () => {
  world = await startApiWorld({}, { logLevel: 'info', logDestination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  world.sim.state.addUser({ id: USER, username: 'logged' });
  world.sim.state.addGuild({ id: GUILD, name: 'Logged Guild', ownerId: USER });
});
after(() => world?.close());

test('every log line of a request carries its request id, and the tenant, user and guild once the guards know them', async () => {
  const client = await world.login(USER);
  const tenantId = ((await client.get('/v1/auth/session')).body as { tenant: { id: string } }).tenant.id;
  lines.length = 0;
  const res = await client.get(`/v1/assets/${GUILD}`);
  assert.equal(res.status, 200);
  const requestId = res.headers.get('x-request-id');
  const mine = lines.filter((l) => l.reqId === requestId);
  assert.ok(mine.length >= 2, `the request's lines: ${JSON.stringify(lines)}`);
  const completed = mine.find((l) => l.msg === 'request completed');
  assert.ok(completed, 'Fastify logs the completed request');
  assert.equal(completed.tenantId, tenantId);
  assert.equal(completed.userId, USER);
  assert.equal(completed.guildId, GUILD);
  assert.ok(!JSON.stringify(lines).includes('townes_session='), 'the session cookie is never logged');
});
