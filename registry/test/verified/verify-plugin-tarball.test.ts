import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SigningKey } from '../../src/index.ts';
import { SignatureError, TarballIntegrityError, UnsafeArchiveError, integrityOf, parseTrustStore, signAsPublisher, signAsRegistry, verifyPluginTarball } from '../../src/index.ts';
import type { SignedTarball } from '../../src/index.ts';
import { CODE, MANIFEST, PACKAGE_JSON, gz, rawEntry, tar } from '../fixtures/tar-craft.ts';
import { makeWorld } from '../signing/fixtures.ts';

// The whole check a runner makes, on real tarballs: each attack is refused and nothing is returned.
const world = makeWorld();
const NAME = '@acme/greeter';

function tarball(version: string, manifestExtra: Record<string, unknown> = {}, extraEntries: Buffer[] = []): Buffer {
  const manifest = { ...MANIFEST, name: NAME, version, ...manifestExtra };
  return gz(
    tar(
      rawEntry({ name: 'package/package.json' }, JSON.stringify({ ...PACKAGE_JSON, name: NAME, version })),
      rawEntry({ name: 'package/townes.plugin.json' }, JSON.stringify(manifest)),
      rawEntry({ name: 'package/dist/plugin.js' }, CODE),
      ...extraEntries,
    ),
  );
}

function publish(bytes: Buffer, version: string, key: SigningKey = world.acme, manifestExtra: Record<string, unknown> = {}): SignedTarball {
  const integrity = integrityOf(bytes);
  const manifest = { ...MANIFEST, name: NAME, version, ...manifestExtra };
  const publisher = signAsPublisher({ name: NAME, version, integrity, manifest, privateKeyPem: key.privateKeyPem });
  const registry = signAsRegistry({ name: NAME, version, integrity, manifest, publisherKeyId: publisher.keyId, privateKeyPem: world.registry.privateKeyPem });
  return { name: NAME, version, integrity, tarball: bytes, publisher, registry };
}

const refused = (fn: () => unknown, check: (e: unknown) => boolean) => assert.throws(fn, (e: unknown) => check(e));
const signatureCode = (code: string) => (e: unknown) => e instanceof SignatureError && e.code === code;

test('a signed, intact plugin version passes and yields its manifest and code', () => {
  const verified = verifyPluginTarball(publish(tarball('1.0.0'), '1.0.0'), world.trust);
  assert.equal(verified.manifest.name, NAME);
  assert.equal(verified.code, CODE);
  assert.equal(verified.publisherKeyId, world.acme.keyId);
  assert.equal(verified.registryKeyId, world.registry.keyId);
});

test('a tampered tarball is refused by its integrity', () => {
  const signed = publish(tarball('1.0.0'), '1.0.0');
  const bytes = Buffer.from(signed.tarball);
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1;
  refused(() => verifyPluginTarball({ ...signed, tarball: bytes }, world.trust), (e) => e instanceof TarballIntegrityError);
});

test('a tarball swapped together with a recomputed integrity is refused by the signatures', () => {
  const signed = publish(tarball('1.0.0'), '1.0.0');
  const other = tarball('1.0.0', { displayName: 'Swapped' });
  refused(() => verifyPluginTarball({ ...signed, tarball: other, integrity: integrityOf(other) }, world.trust), signatureCode('BAD_SIGNATURE'));
});

test('a manifest edited after signing is refused', () => {
  // The attacker repacks with more permissions and republishes the old signatures.
  const signed = publish(tarball('1.0.0'), '1.0.0');
  const edited = tarball('1.0.0', { permissions: ['discord.roles.manage'] });
  refused(() => verifyPluginTarball({ ...signed, tarball: edited, integrity: integrityOf(edited) }, world.trust), signatureCode('BAD_SIGNATURE'));
});

test('untrusted, out-of-scope and revoked keys are refused', () => {
  refused(() => verifyPluginTarball(publish(tarball('1.0.0'), '1.0.0', world.evil), world.trust), signatureCode('UNTRUSTED_KEY'));
  const narrow = parseTrustStore({ ...world.trustInput, publishers: [{ keyId: world.acme.keyId, publicKey: world.acme.publicKeyPem, scopes: ['@acme/other'] }] });
  refused(() => verifyPluginTarball(publish(tarball('1.0.0'), '1.0.0'), narrow), signatureCode('KEY_OUT_OF_SCOPE'));
  const revoked = parseTrustStore({
    ...world.trustInput,
    publishers: [{ keyId: world.acme.keyId, publicKey: world.acme.publicKeyPem, scopes: ['@acme/*'], revoked: { at: '2026-11-01T00:00:00Z', reason: 'key leaked' } }],
  });
  refused(() => verifyPluginTarball(publish(tarball('1.0.0'), '1.0.0'), revoked), signatureCode('KEY_REVOKED'));
});

test('the signatures of one version presented with another are refused (mix-and-match)', () => {
  const v1 = publish(tarball('1.0.0'), '1.0.0');
  const v2 = publish(tarball('1.0.1'), '1.0.1');
  refused(() => verifyPluginTarball({ ...v2, publisher: v1.publisher, registry: v1.registry }, world.trust), signatureCode('BAD_SIGNATURE'));
  refused(() => verifyPluginTarball({ ...v1, version: '1.0.1' }, world.trust), (e) => e instanceof SignatureError);
});

test('an unsafe archive is refused before any signature is looked at, even when signed', () => {
  const evil = tarball('1.0.0', {}, [rawEntry({ name: 'package/link', type: '2', linkname: '/etc/passwd' })]);
  refused(() => verifyPluginTarball(publish(evil, '1.0.0'), world.trust), (e) => e instanceof UnsafeArchiveError && e.code === 'SYMLINK');
});
