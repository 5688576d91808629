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
