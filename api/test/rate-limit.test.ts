import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorReply } from '@townesdev/plugin-contract';
import { startApiWorld, type ApiWorld } from './support/api-world.ts';

let world: ApiWorld;

before(async () => {
  world = await startApiWorld({ rateLimit: { max: 5, windowMs: 60_000 } });
});

after(async () => {
  await world?.close();
});

test('past the limit a caller gets 429 in the one error shape, counted in Redis; health probes are never limited', async () => {
  const client = world.anonymous();
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await client.get('/v1/marketplace/plugins')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await client.get('/v1/marketplace/plugins');
  const body = ErrorReply.parse(limited.body);
  assert.equal(body.error.code, 'RATE_LIMITED');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.ok((await world.redis.keys(`${world.redisPrefix}rate-limit:*`)).length > 0, 'the counter lives in Redis, shared by every API process');
  for (let i = 0; i < 8; i++) assert.equal((await client.get('/healthz')).status, 200);
});

test('a made-up session cookie does not buy a fresh allowance: the limit falls back to the address', async () => {
  const fresh = await startApiWorld({ rateLimit: { max: 5, windowMs: 60_000 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fresh.anonymous().request('GET', '/v1/marketplace/plugins', undefined, { cookie: `townes_session=forged-${i}` })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  } finally {
    await fresh.close();
  }
});

test('a session past its expiry is refused with 401 and a hint to log in again', async () => {
  const short = await startApiWorld({ sessionTtlMs: 2000 });
  try {
    short.sim.state.addUser({ id: '150000000000000001', username: 'brief' });
    const client = await short.login('150000000000000001');
    assert.equal((await client.get('/v1/auth/session')).status, 200);
    await new Promise((r) => setTimeout(r, 2200));
    const expired = await client.get('/v1/auth/session');
    assert.equal(expired.status, 401);
    const body = ErrorReply.parse(expired.body);
    assert.equal(body.error.code, 'UNAUTHENTICATED');
    assert.match(body.error.hint ?? '', /Log in/);
  } finally {
    await short.close();
  }
});
