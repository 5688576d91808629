import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { SigningKey } from '../../src/index.ts';
import { IntegrityError, SignatureError, TarballIntegrityError, UnsafeArchiveError, integrityOf, parseTrustStore, signAsPublisher, signAsRegistry, verifyPluginTarball } from '../../src/index.ts';
import type { SignedTarball } from '../../src/index.ts';
import { PARALLEL_MIN_BYTES, startSha512 } from '../../src/package/parallel-sha512.ts';
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

// Large tarballs are hashed on a helper thread while they are unpacked (parallel-sha512.ts):
// the same verdicts, in the same order, on both paths (the first large one is hashed in place).
test('a large plugin passes, and a tampered one is refused by its integrity, whichever thread hashes it', async () => {
  const code = `var __townesPlugin = { default: {} };\n/*${randomBytes(2 * PARALLEL_MIN_BYTES).toString('base64')}*/\n`;
  const manifest = { ...MANIFEST, name: NAME, version: '2.0.0' };
  const bytes = gz(
    tar(
      rawEntry({ name: 'package/package.json' }, JSON.stringify({ ...PACKAGE_JSON, name: NAME, version: '2.0.0' })),
      rawEntry({ name: 'package/townes.plugin.json' }, JSON.stringify(manifest)),
      rawEntry({ name: 'package/dist/plugin.js' }, code),
    ),
  );
  assert.ok(bytes.length >= PARALLEL_MIN_BYTES);
  const signed = publish(bytes, '2.0.0');
  // The gzip trailer's CRC: the altered bytes do not unpack either, and the integrity verdict wins.
  const tampered = Buffer.from(bytes);
  tampered[tampered.length - 6]! ^= 1;
  const seen = new Set<boolean>();
  for (const deadline = Date.now() + 20_000; seen.size < 2 && Date.now() < deadline; await sleep(20)) {
    const probe = startSha512(bytes);
    seen.add(probe.parallel);
    probe.digest();
    assert.equal(verifyPluginTarball(signed, world.trust).code, code);
    refused(() => verifyPluginTarball({ ...signed, tarball: tampered }, world.trust), (e) => e instanceof TarballIntegrityError);
    refused(() => verifyPluginTarball({ ...signed, integrity: 'sha256-AAAA' }, world.trust), (e) => e instanceof IntegrityError && e.code === 'UNSUPPORTED_ALGORITHM');
  }
  assert.deepEqual(seen, new Set([false, true]), 'both the in-place and the helper path were exercised');
});
