import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TrustStoreError, TrustStoreSchema, generateSigningKey, isScope, loadTrustStore, parseTrustStore, scopeMatches } from '../../src/signing/index.ts';
import { makeWorld } from './fixtures.ts';

const world = makeWorld();

function problemsOf(input: unknown): string[] {
  try {
    parseTrustStore(input);
  } catch (error) {
    assert.ok(error instanceof TrustStoreError, String(error));
    return error.problems;
  }
  assert.fail('the store was accepted');
}

describe('scopes', () => {
  test('@acme/* covers the scope and nothing that merely starts with its letters', () => {
    assert.equal(scopeMatches('@acme/*', '@acme/greeter'), true);
    assert.equal(scopeMatches('@acme/*', '@acmeevil/x'), false);
    assert.equal(scopeMatches('@acme/*', '@acme'), false);
    assert.equal(scopeMatches('@acme/*', 'acme'), false);
    assert.equal(scopeMatches('@acme/*', '@acme/'), false);
    assert.equal(scopeMatches('@acme/*', '@evil/acme'), false);
  });

  test('@acme/name and name cover exactly that package', () => {
    assert.equal(scopeMatches('@acme/greeter', '@acme/greeter'), true);
    assert.equal(scopeMatches('@acme/greeter', '@acme/greeter2'), false);
    assert.equal(scopeMatches('acme-tools', 'acme-tools'), true);
    assert.equal(scopeMatches('acme-tools', '@acme/acme-tools'), false);
  });

  test('only these three forms are scopes; there is no catch-all', () => {
    for (const ok of ['@acme/*', '@acme/greeter', 'greeter']) assert.equal(isScope(ok), true, ok);
    for (const bad of ['*', '@*/x', '@acme', '@acme/', '@ACME/*', '@acme/**', '@acme/x/*', '']) assert.equal(isScope(bad), false, bad);
  });
});

describe('the trust store', () => {
  test('a valid store parses; one schema, exported', () => {
    const store = parseTrustStore(world.trustInput);
    assert.equal(store.publishers.length, 2);
    assert.equal(TrustStoreSchema.safeParse(world.trustInput).success, true);
  });

  test('rotation: a publisher may hold several keys, one key may also be a registry key', () => {
    const store = parseTrustStore({
      ...world.trustInput,
      registryKeys: [...world.trustInput.registryKeys, { keyId: world.acme.keyId, publicKey: world.acme.publicKeyPem }],
    });
    assert.deepEqual(store.publishers.filter((p) => p.scopes.includes('@acme/*')).length, 2);
  });

  test('an invalid store is refused with every problem listed, each with its path', () => {
    const other = generateSigningKey();
    const problems = problemsOf({
      version: 2,
      registryKeys: [
        { keyId: world.registry.keyId, publicKey: world.registry.publicKeyPem, notAfter: 'next year' },
        { keyId: world.registry.keyId, publicKey: world.registry.publicKeyPem },
      ],
      publishers: [
        { keyId: world.acme.keyId, publicKey: other.publicKeyPem, scopes: ['@acme/*'] },
        { keyId: world.evil.keyId, publicKey: world.evil.privateKeyPem, scopes: ['@evil/*'] },
        { keyId: 'acme-key', publicKey: world.acme.publicKeyPem, scopes: ['*'] },
        { keyId: world.acmeNext.keyId, publicKey: world.acmeNext.publicKeyPem, scopes: [] },
        { keyId: world.acmeNext.keyId, publicKey: world.acmeNext.publicKeyPem, scopes: ['@acme/*'], revoked: { at: '2026-11-02T10:00:00Z' } },
        { keyId: other.keyId, publicKey: other.publicKeyPem, scopes: ['@acme/*'], admin: true },
      ],
    });
    const expected: Array<[path: string, text: RegExp]> = [
      ['version', /1/],
      ['registryKeys.0.notAfter', /ISO 8601/],
      ['registryKeys.1.keyId', /listed twice/],
      ['publishers.0.keyId', new RegExp(`is not the id of this public key; its id is ${other.keyId}`)],
      ['publishers.1.publicKey', /private key/],
      ['publishers.2.keyId', /key id such as ed25519:/],
      ['publishers.2.scopes.0', /scope such as @acme\/\*/],
      ['publishers.3.scopes', /at least one scope/],
      ['publishers.4.revoked.reason', /expected string/],
      ['publishers.4.keyId', /listed twice/],
      ['publishers.5', /admin/],
    ];
    for (const [where, text] of expected) {
      assert.ok(
        problems.some((p) => p.startsWith(`${where}: `) && text.test(p)),
        `expected a problem at ${where} matching ${text}; got:\n${problems.join('\n')}`,
      );
    }
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  test('the error message lists the problems for the operator', () => {
    assert.throws(() => parseTrustStore({ version: 1, registryKeys: 'none', publishers: [] }, '/etc/townes/trust.json'), (e: unknown) => {
      assert.ok(e instanceof TrustStoreError);
      assert.match(e.message, /^invalid trust store \/etc\/townes\/trust\.json:\n {2}- registryKeys: /);
      return true;
    });
  });

  describe('loadTrustStore', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'townes-trust-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('reads and validates a file', async () => {
      const file = path.join(dir, 'trust.json');
      writeFileSync(file, JSON.stringify(world.trustInput, null, 2));
      const store = await loadTrustStore(file);
      assert.equal(store.registryKeys[0]?.keyId, world.registry.keyId);
    });

    test('refuses a file that is not JSON, naming the file', async () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{ "version": 1,');
      await assert.rejects(loadTrustStore(file), (e: unknown) => e instanceof TrustStoreError && e.message.includes(file) && /not valid JSON/.test(e.problems[0] ?? ''));
    });
  });
});
