import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IndexError, INDEX_SIGNATURE_HEADER, indexSignedBytes, signIndex, verifyIndex } from '../../src/signed-index/index.ts';
import type { IndexErrorCode, SignedIndex } from '../../src/signed-index/index.ts';
import { SignatureError, canonicalJson, manifestDigest, signAsPublisher, signAsRegistry, signDocument, signedDocument, verifyPackageSignatures } from '../../src/signing/index.ts';
import { DAY, EXPIRES, ISSUED, integrityOf, makeIndex, makeIndexWorld } from './fixtures.ts';

function refused(code: IndexErrorCode, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof IndexError, `expected an IndexError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

const NOW = new Date(ISSUED.getTime() + DAY);

describe('signIndex / verifyIndex', () => {
  const world = makeIndexWorld();
  const index = makeIndex(world, 6);

  test('round trip: a signed index verifies and comes back as it was signed', () => {
    const signed = signIndex(index, world.registry.privateKeyPem);
    assert.equal(signed.keyId, world.registry.keyId);
    assert.deepEqual(verifyIndex(signed, world.trust, NOW), index);
    // It survives the trip through JSON (what the runner actually downloads).
    const downloaded = JSON.parse(JSON.stringify(signed)) as SignedIndex;
    assert.deepEqual(verifyIndex(downloaded, world.trust, NOW), index);
  });

  test('the signed bytes are the header line, then the canonical JSON of the index', () => {
    assert.equal(INDEX_SIGNATURE_HEADER, 'townes-registry-index-v1\n');
    const bytes = indexSignedBytes(index);
    assert.equal(bytes.toString('utf8'), `townes-registry-index-v1\n${canonicalJson(index)}`);
    // Key order in the object does not matter: canonical JSON sorts keys.
    const reordered = Object.fromEntries(Object.entries(index).reverse()) as typeof index;
    assert.deepEqual(indexSignedBytes(reordered), bytes);
  });

  test('a tampered index (one version integrity changed) fails with BAD_SIGNATURE', () => {
    const signed = signIndex(index, world.registry.privateKeyPem);
    const tampered = structuredClone(signed);
    tampered.index.packages['@acme/greeter']!.versions['1.0.0']!.integrity = integrityOf('evil greeter');
    assert.throws(() => verifyIndex(tampered, world.trust, NOW), refused('BAD_SIGNATURE', /serial 6.*altered after signing/s));
    const unyanked = structuredClone(signed);
    unyanked.index.packages['@acme/greeter']!.versions['1.1.0']!.yanked = false;
    assert.throws(() => verifyIndex(unyanked, world.trust, NOW), refused('BAD_SIGNATURE'));
    const reserialed = structuredClone(signed);
    reserialed.index.serial = 7;
    assert.throws(() => verifyIndex(reserialed, world.trust, NOW), refused('BAD_SIGNATURE'));
  });

  test('an index signed by a key that is not a trusted registry key fails with UNTRUSTED_REGISTRY', () => {
    const byStranger = signIndex(index, world.stranger.privateKeyPem);
    assert.throws(() => verifyIndex(byStranger, world.trust, NOW), refused('UNTRUSTED_REGISTRY', new RegExp(`${world.stranger.keyId}.*registryKeys`, 's')));
    // A publisher key is trusted, but not to speak for the registry.
    const byPublisher = signIndex(index, world.publisher.privateKeyPem);
    assert.throws(() => verifyIndex(byPublisher, world.trust, NOW), refused('UNTRUSTED_REGISTRY'));
    // A registry key past its notAfter.
    const byRetired = signIndex(index, world.retired.privateKeyPem);
    assert.throws(() => verifyIndex(byRetired, world.trust, NOW), refused('UNTRUSTED_REGISTRY', /notAfter/));
    // Claiming the trusted key's id does not help: the signature is checked with that key.
    const claimed = { ...byStranger, keyId: world.registry.keyId };
    assert.throws(() => verifyIndex(claimed, world.trust, NOW), refused('BAD_SIGNATURE'));
  });

  test('an index signed by a revoked registry key fails with KEY_REVOKED', () => {
    const signed = signIndex(index, world.revoked.privateKeyPem);
    assert.throws(() => verifyIndex(signed, world.trust, NOW), refused('KEY_REVOKED', /revoked on 2026-02-15T00:00:00Z \(leaked in a CI log\)/));
  });

  test('expiry: refused once past expiresAt plus the grace period, with the dates in the message', () => {
    const signed = signIndex(index, world.registry.privateKeyPem);
    const justAfter = new Date(EXPIRES.getTime() + 1000);
    assert.throws(() => verifyIndex(signed, world.trust, justAfter), refused('EXPIRED', new RegExp(`expired at ${EXPIRES.toISOString()}`)));
    assert.deepEqual(verifyIndex(signed, world.trust, justAfter, { graceMs: DAY }), index);
    const pastGrace = new Date(EXPIRES.getTime() + DAY + 1);
    assert.throws(() => verifyIndex(signed, world.trust, pastGrace, { graceMs: DAY }), refused('EXPIRED', /grace period of 1d ended at 2026-03-12T00:00:00.000Z/));
  });

  test('malformed input is refused with MALFORMED, listing the problems', () => {
    const signed = signIndex(index, world.registry.privateKeyPem);
    assert.throws(() => verifyIndex({ ...signed, keyId: 'me' }, world.trust, NOW), refused('MALFORMED', /signing key me/));
    assert.throws(() => verifyIndex({ ...signed, signature: 'AAAA' }, world.trust, NOW), refused('MALFORMED'));
    const extra = { ...signed, index: { ...signed.index, note: 'unsigned field' } } as unknown as SignedIndex;
    assert.throws(() => verifyIndex(extra, world.trust, NOW), refused('MALFORMED', /note/));
    const zero = { ...signed, index: { ...signed.index, serial: 0 } };
    assert.throws(() => verifyIndex(zero, world.trust, NOW), refused('MALFORMED', /serial/));
    const badVersion = structuredClone(signed) as unknown as { index: { packages: Record<string, { versions: Record<string, unknown> }> } };
    badVersion.index.packages['@acme/dice']!.versions['not-semver'] = { integrity: integrityOf('x'), yanked: false, publisherKeyId: world.publisher.keyId };
    assert.throws(() => verifyIndex(badVersion as unknown as SignedIndex, world.trust, NOW), refused('MALFORMED', /packages\.@acme\/dice\.versions/));
    assert.throws(() => signIndex({ ...index, expiresAt: index.issuedAt }, world.registry.privateKeyPem), refused('MALFORMED', /expiresAt: must be later than issuedAt/));
  });

  test('a signature over the bare canonical JSON (no header line) does not verify', () => {
    const bare = signDocument(Buffer.from(canonicalJson(index)), world.registry.privateKeyPem);
    assert.throws(() => verifyIndex({ index, keyId: world.registry.keyId, signature: bare }, world.trust, NOW), refused('BAD_SIGNATURE'));
  });

  test('a package signature cannot pass as an index signature, nor the other way round', () => {
    const manifest = { name: '@acme/greeter', version: '1.0.0', displayName: 'Greeter', kernelApi: '^1.0.0', permissions: ['discord.messages.send'] };
    const pkg = { name: '@acme/greeter', version: '1.0.0', integrity: integrityOf('greeter 1.0.0'), manifest };
    const publisher = signAsPublisher({ ...pkg, privateKeyPem: world.publisher.privateKeyPem });
    const registry = signAsRegistry({ ...pkg, publisherKeyId: publisher.keyId, privateKeyPem: world.registry.privateKeyPem });
    // Sanity: the package signatures are good as package signatures.
    assert.deepEqual(verifyPackageSignatures({ ...pkg, publisher, registry, trust: world.trust, now: NOW }), { publisherKeyId: publisher.keyId, registryKeyId: world.registry.keyId });

    // The registry's package countersignature, offered as the index signature: same key, wrong bytes.
    assert.throws(() => verifyIndex({ index, keyId: registry.keyId, signature: registry.signature }, world.trust, NOW), refused('BAD_SIGNATURE'));
    // The index signature, offered as the registry's countersignature of a package.
    const signedIndex = signIndex(index, world.registry.privateKeyPem);
    assert.throws(
      () => verifyPackageSignatures({ ...pkg, publisher, registry: { keyId: signedIndex.keyId, signature: signedIndex.signature }, trust: world.trust, now: NOW }),
      (error: unknown) => error instanceof SignatureError && error.code === 'BAD_SIGNATURE',
    );
    // The two kinds of signed bytes can never coincide: they differ from the first line on.
    const pkgDoc = signedDocument({ role: 'registry', name: pkg.name, version: pkg.version, integrity: pkg.integrity, manifest: manifestDigest(manifest), key: world.registry.keyId, publisherKey: publisher.keyId });
    assert.match(pkgDoc.toString('utf8'), /^townes-plugin-signature-v1\n/);
    assert.match(indexSignedBytes(index).toString('utf8'), /^townes-registry-index-v1\n\{/);
  });
});
