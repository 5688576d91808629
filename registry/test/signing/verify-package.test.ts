import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureError, parseTrustStore, signAsPublisher, signAsRegistry, verifyPackageSignatures, verifyPublisherSignature } from '../../src/signing/index.ts';
import type { SignatureErrorCode, TrustStore, VerifyPackageInput } from '../../src/signing/index.ts';
import { asInput, integrityOf, makeWorld, manifestFor, publish } from './fixtures.ts';

const world = makeWorld();
const v100 = publish(world, '@acme/greeter', '1.0.0');
const v101 = publish(world, '@acme/greeter', '1.0.1');

/** Asserts a SignatureError with this code whose message mentions every `mentions` string. */
function refused(input: VerifyPackageInput, code: SignatureErrorCode, ...mentions: string[]): void {
  assert.throws(
    () => verifyPackageSignatures(input),
    (e: unknown) => {
      assert.ok(e instanceof SignatureError, `expected a SignatureError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      for (const m of mentions) assert.ok(e.message.includes(m), `the message should mention ${m}: ${e.message}`);
      return true;
    },
  );
}

function trustWith(change: (store: TrustStore) => TrustStore): TrustStore {
  return parseTrustStore(change(structuredClone(world.trust)));
}

describe('round trip', () => {
  test('a version signed by its publisher and countersigned by the registry verifies', () => {
    assert.deepEqual(verifyPackageSignatures(asInput(world, v100)), { publisherKeyId: world.acme.keyId, registryKeyId: world.registry.keyId });
    assert.deepEqual(verifyPublisherSignature(asInput(world, v100)), { publisherKeyId: world.acme.keyId });
  });

  test('a rotated key verifies alongside the old one, each within its scopes', () => {
    const next = publish(world, '@acme/greeter', '1.1.0', { publisherKey: world.acmeNext });
    assert.equal(verifyPackageSignatures(asInput(world, next)).publisherKeyId, world.acmeNext.keyId);
    const tools = publish(world, 'acme-tools', '1.0.0', { publisherKey: world.acmeNext });
    assert.equal(verifyPackageSignatures(asInput(world, tools)).publisherKeyId, world.acmeNext.keyId);
  });

  test('the same manifest reformatted, or with its defaults spelled out, still verifies', () => {
    const spelledOut = { ...JSON.parse(JSON.stringify(v100.manifest, null, 2)), description: '', limits: { cpuMsPerEvent: 50 } };
    assert.ok(verifyPackageSignatures(asInput(world, v100, { manifest: spelledOut })));
  });

  test('signing refuses a manifest that names another package or version', () => {
    assert.throws(
      () => signAsPublisher({ name: '@acme/greeter', version: '1.0.0', integrity: v100.integrity, manifest: manifestFor('@evil/greeter', '1.0.0'), privateKeyPem: world.acme.privateKeyPem }),
      (e: unknown) => e instanceof SignatureError && e.code === 'MALFORMED',
    );
  });
});

describe('attacks, each refused with its code', () => {
  test('a tampered tarball (the integrity of another tarball)', () => {
    refused(asInput(world, v100, { integrity: integrityOf('tarball with a backdoor') }), 'BAD_SIGNATURE', '@acme/greeter@1.0.0', world.acme.keyId);
  });

  test('a manifest edited after signing: a changed field', () => {
    refused(asInput(world, v100, { manifest: { ...v100.manifest, permissions: ['discord.messages.send', 'discord.roles.manage'] } }), 'BAD_SIGNATURE');
    refused(asInput(world, v100, { manifest: { ...v100.manifest, displayName: 'Greeter (official)' } }), 'BAD_SIGNATURE');
  });

  test('a manifest edited after signing: a field parseManifest fills by default', () => {
    assert.equal(v100.manifest.limits, undefined, 'signed without limits, i.e. with the default 50 ms');
    refused(asInput(world, v100, { manifest: { ...v100.manifest, limits: { cpuMsPerEvent: 1000 } } }), 'BAD_SIGNATURE');
    refused(asInput(world, v100, { manifest: { ...v100.manifest, entry: 'dist/evil.js' } }), 'BAD_SIGNATURE');
  });

  test('a manifest that names another package than the one verified', () => {
    refused(asInput(world, v100, { manifest: manifestFor('@evil/greeter', '1.0.0') }), 'MALFORMED', '@evil/greeter@1.0.0');
    refused(asInput(world, v100, { manifest: manifestFor('@acme/greeter', '1.0.1') }), 'MALFORMED');
  });

  test('a signature by a key the operator does not trust', () => {
    const forged = publish(world, '@acme/greeter', '1.0.2', { publisherKey: world.evil });
    refused(asInput(world, forged), 'UNTRUSTED_KEY', '@acme/greeter@1.0.2', world.evil.keyId, '"publishers"');
  });

  test('a trusted key used outside its scope', () => {
    refused(asInput(world, publish(world, '@evil/x', '1.0.0')), 'KEY_OUT_OF_SCOPE', '@evil/x@1.0.0', world.acme.keyId, '@acme/*');
    refused(asInput(world, publish(world, '@acmeevil/x', '1.0.0')), 'KEY_OUT_OF_SCOPE', '@acmeevil/x');
    // acme-tools is in the rotated key's scopes, not the old key's.
    refused(asInput(world, publish(world, 'acme-tools', '1.0.0')), 'KEY_OUT_OF_SCOPE', 'acme-tools@1.0.0');
  });

  test('a revoked publisher key, even for a version signed before the revocation', () => {
    const trust = trustWith((s) => {
      s.publishers[0]!.revoked = { at: '2026-11-02T10:00:00Z', reason: 'laptop stolen' };
      return s;
    });
    refused(asInput(world, v100, { trust }), 'KEY_REVOKED', world.acme.keyId, '2026-11-02T10:00:00Z', 'laptop stolen', '@acme/greeter@1.0.0');
  });

  test('a revoked or expired registry key', () => {
    const revoked = trustWith((s) => {
      s.registryKeys[0]!.revoked = { at: '2026-11-01T00:00:00Z', reason: 'rotated after an incident' };
      return s;
    });
    refused(asInput(world, v100, { trust: revoked }), 'KEY_REVOKED', world.registry.keyId, 'rotated after an incident');
    const expiring = trustWith((s) => {
      s.registryKeys[0]!.notAfter = '2027-01-31T00:00:00Z';
      return s;
    });
    assert.ok(verifyPackageSignatures(asInput(world, v100, { trust: expiring, now: new Date('2027-01-30T23:59:59Z') })));
    refused(asInput(world, v100, { trust: expiring, now: new Date('2027-01-31T00:00:01Z') }), 'UNTRUSTED_REGISTRY', 'notAfter', world.registry.keyId);
  });

  test('a registry signature by an unknown key', () => {
    const registry = signAsRegistry({ ...v100, publisherKeyId: v100.publisher.keyId, privateKeyPem: world.evil.privateKeyPem });
    refused(asInput(world, v100, { registry }), 'UNTRUSTED_REGISTRY', world.evil.keyId, '"registryKeys"');
  });

  test("mix-and-match: 1.0.0's signatures presented with 1.0.1", () => {
    refused({ ...asInput(world, v101), publisher: v100.publisher, registry: v100.registry }, 'BAD_SIGNATURE', '@acme/greeter@1.0.1');
    // Half and half: each signature is genuine, but for another version.
    refused({ ...asInput(world, v101), registry: v100.registry }, 'BAD_SIGNATURE', 'registry signature');
    refused({ ...asInput(world, v101), publisher: v100.publisher }, 'BAD_SIGNATURE', 'publisher signature');
    // Another package of the same publisher.
    const other = publish(world, '@acme/other', '1.0.0');
    refused({ ...asInput(world, v100), publisher: other.publisher, registry: other.registry }, 'BAD_SIGNATURE');
  });

  test('a registry signature that vouched for another publisher key', () => {
    // The registry accepted 1.0.0 signed by the old key; a signature by the new key is swapped in.
    const byNext = signAsPublisher({ ...v100, privateKeyPem: world.acmeNext.privateKeyPem });
    refused({ ...asInput(world, v100), publisher: byNext }, 'BAD_SIGNATURE', 'registry signature', world.acmeNext.keyId);
  });

  test('a swapped role: the publisher signature presented as the registry signature', () => {
    refused({ ...asInput(world, v100), registry: v100.publisher }, 'UNTRUSTED_REGISTRY', world.acme.keyId);
    // Even when the operator trusts one key in both roles, the role line tells the signatures apart.
    const both = trustWith((s) => {
      s.registryKeys.push({ keyId: world.acme.keyId, publicKey: world.acme.publicKeyPem });
      return s;
    });
    refused({ ...asInput(world, v100, { trust: both }), registry: v100.publisher }, 'BAD_SIGNATURE', 'registry signature');
    const alsoPublisher = trustWith((s) => {
      s.publishers.push({ keyId: world.registry.keyId, publicKey: world.registry.publicKeyPem, scopes: ['@acme/*'] });
      return s;
    });
    refused({ ...asInput(world, v100, { trust: alsoPublisher }), publisher: v100.registry }, 'BAD_SIGNATURE', 'publisher signature');
  });

  test('garbage signatures, key ids and inputs: MALFORMED or BAD_SIGNATURE, never another error', () => {
    const random = randomBytes(64).toString('base64');
    refused({ ...asInput(world, v100), publisher: { keyId: world.acme.keyId, signature: random } }, 'BAD_SIGNATURE');
    refused({ ...asInput(world, v100), registry: { keyId: world.registry.keyId, signature: random } }, 'BAD_SIGNATURE');
    const malformed: Array<Partial<VerifyPackageInput> | Record<string, unknown>> = [
      { publisher: { keyId: world.acme.keyId, signature: 'garbage' } },
      { publisher: { keyId: world.acme.keyId, signature: '' } },
      { registry: { keyId: world.registry.keyId, signature: `${v100.registry.signature}\n` } },
      { publisher: { keyId: 'ed25519:nope', signature: v100.publisher.signature } },
      { publisher: { keyId: `${world.acme.keyId}\nkey: x`, signature: v100.publisher.signature } },
      { registry: undefined },
      { publisher: null },
      { integrity: 'sha512-not-base64' },
      { integrity: undefined },
      { name: '@acme/greeter\nname: @evil/x' },
      { version: 'latest' },
      { manifest: 'not a manifest' },
      { manifest: { ...v100.manifest, limits: { cpuMsPerEvent: 5000 } } },
    ];
    for (const change of malformed) refused({ ...asInput(world, v100), ...change } as VerifyPackageInput, 'MALFORMED');
  });

  test('a hand-built trust store that pairs a key id with another key is not trusted', () => {
    const trust = structuredClone(world.trust);
    trust.publishers[0]!.publicKey = world.evil.publicKeyPem;
    const forged = publish(world, '@acme/greeter', '1.0.0', { publisherKey: world.evil });
    refused({ ...asInput(world, v100, { trust }), publisher: { keyId: world.acme.keyId, signature: forged.publisher.signature } }, 'MALFORMED', 'trust store');
  });
});
