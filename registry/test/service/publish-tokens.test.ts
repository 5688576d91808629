import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RegistryError } from '../../src/service/registry-errors.ts';
import { grantCovers, hashPublishToken, PublishTokens } from '../../src/service/publish-tokens.ts';
import { makeRegistryWorld, type RegistryWorld } from './fixtures.ts';

let world: RegistryWorld;
let tokens: PublishTokens;

before(async () => {
  world = await makeRegistryWorld();
  tokens = new PublishTokens(world.orm);
});
after(async () => {
  await world?.close();
});

const invalid = (error: unknown) => error instanceof RegistryError && error.code === 'INVALID_INPUT';

test('a created token authenticates with its scopes; only its hash is stored', async () => {
  const created = await tokens.create({ label: 'Acme CI', scopes: ['@acme/*', 'acme-tools', '@acme/*'] });
  assert.match(created.token, /^townes_rt_[A-Za-z0-9-]{12}_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(created.scopes, ['@acme/*', 'acme-tools'], 'duplicates dropped');
  const grant = await tokens.authenticate(created.token);
  assert.deepEqual(grant, { tokenId: created.id, label: 'Acme CI', scopes: ['@acme/*', 'acme-tools'] });
  assert.ok(grant && grantCovers(grant, '@acme/greeter') && grantCovers(grant, 'acme-tools'));
  assert.ok(grant && !grantCovers(grant, '@acmeevil/x') && !grantCovers(grant, 'acme') && !grantCovers(grant, '@acme/a/b'));

  const rows = await world.orm.em.getConnection().execute<{ token_hash: string }[]>('select token_hash from registry_publish_token where id = ?', [created.id]);
  assert.equal(rows[0]?.token_hash, hashPublishToken(created.token));
  assert.ok(!JSON.stringify(rows).includes(created.token.slice(-20)), 'the secret is not in the table');
});

test('unknown, malformed and revoked tokens do not authenticate; revoking twice keeps the first date', async () => {
  const created = await tokens.create({ label: 'old', scopes: ['@old/*'] });
  assert.equal(await tokens.authenticate(created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A')), null);
  assert.equal(await tokens.authenticate('nonsense'), null);
  assert.equal(await tokens.authenticate(''), null);
  const revoked = await tokens.revoke(created.id);
  assert.ok(revoked.revokedAt);
  assert.equal(await tokens.authenticate(created.token), null);
  const again = await tokens.revoke(created.id);
  assert.deepEqual(again.revokedAt, revoked.revokedAt);
  await assert.rejects(tokens.revoke('no-such-id'), (e: unknown) => e instanceof RegistryError && e.code === 'NOT_FOUND');
  const listed = await tokens.list();
  assert.ok(listed.some((t) => t.id === created.id && t.revokedAt));
  assert.ok(!JSON.stringify(listed).includes('townes_rt_'), 'listings never show a token');
});

test('a token needs a label and valid scopes (no catch-all)', async () => {
  await assert.rejects(tokens.create({ label: '', scopes: ['@acme/*'] }), invalid);
  await assert.rejects(tokens.create({ label: 'x', scopes: [] }), invalid);
  await assert.rejects(tokens.create({ label: 'x', scopes: ['*'] }), invalid);
  await assert.rejects(tokens.create({ label: 'x', scopes: ['@acme'] }), invalid);
  await assert.rejects(tokens.create({ label: 'x', scopes: ['@Acme/*'] }), invalid);
});
