import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rawEntry, packageWith } from '../fixtures/tar-craft.ts';
import { UnsafeArchiveError } from '../../src/package/index.ts';
import { SignatureError } from '../../src/signing/index.ts';
import { verifyIndex } from '../../src/signed-index/index.ts';
import { resolveVersion } from '../../src/versions/resolve-version.ts';
import { verifyPluginTarball } from '../../src/verified/verified-plugin.ts';
import { RegistryError } from '../../src/service/registry-errors.ts';
import { BlobIntegrityError, blobFileName } from '../../src/storage/blob-store.ts';
import { makeRegistryWorld, packVersion, publishVersion, sign, type RegistryWorld } from './fixtures.ts';

let world: RegistryWorld;

before(async () => {
  world = await makeRegistryWorld();
});
after(async () => {
  await world?.close();
});

const hasCode = (Type: abstract new (...args: never[]) => Error, code: string) => (error: unknown) => {
  assert.ok(error instanceof Type, `expected a ${Type.name}, got ${String(error)}`);
  assert.equal((error as Error & { code: string }).code, code, (error as Error).message);
  return true;
};

async function blobCount(): Promise<number> {
  let count = 0;
  const root = path.join(world.blobDir, 'sha512');
  const shards = await readdir(root).catch(() => [] as string[]);
  for (const shard of shards) count += (await readdir(path.join(root, shard))).length;
  return count;
}

test('publish then download: the tarball comes back with both signatures, and the runner check passes', async () => {
  const { packed, result } = await publishVersion(world, '@acme/greeter', '1.0.0', world.keys.acme, { displayName: 'Greeter' });
  assert.equal(result.created, true);
  assert.equal(result.version.integrity, packed.integrity);
  assert.equal(result.version.publisher.keyId, world.keys.acme.keyId);
  assert.equal(result.version.registry.keyId, world.keys.registry.keyId);
  assert.equal(result.version.yanked, false);

  const download = await world.service.download('@acme/greeter', '1.0.0');
  assert.deepEqual(download.tarball, packed.tarball);
  assert.equal(download.integrity, packed.integrity);
  assert.deepEqual(download.publisher, result.version.publisher);
  assert.deepEqual(download.registry, result.version.registry);
  const verified = verifyPluginTarball(download, world.trust);
  assert.equal(verified.manifest.name, '@acme/greeter');
  assert.equal(verified.publisherKeyId, world.keys.acme.keyId);
  assert.equal(verified.registryKeyId, world.keys.registry.keyId);

  const [record] = await world.service.versions('@acme/greeter');
  assert.deepEqual({ ...record, publishedAt: undefined }, { ...result.version, publishedAt: undefined });
  assert.equal(record?.manifest.displayName, 'Greeter');
});

test('a published version is immutable: another tarball is refused, the same tarball is an idempotent retry', async () => {
  const first = await publishVersion(world, '@acme/immutable', '1.0.0');
  const blobsBefore = await blobCount();
  const other = await packVersion('@acme/immutable', '1.0.0', { code: 'var __townesPlugin = { default: { changed: true } };\n' });
  assert.notEqual(other.integrity, first.packed.integrity);
  await assert.rejects(world.service.publish({ tarball: other.tarball, publisher: sign(other, world.keys.acme) }), hasCode(RegistryError, 'VERSION_EXISTS'));
  assert.equal(await world.blobs.has(other.integrity), false, 'the refused tarball was not stored');
  assert.equal(await blobCount(), blobsBefore);

  const again = await world.service.publish({ tarball: first.packed.tarball, publisher: sign(first.packed, world.keys.acme) });
  assert.equal(again.created, false);
  assert.deepEqual(again.version.registry, first.result.version.registry);
  assert.equal((await world.service.versions('@acme/immutable')).length, 1);
});

test('re-publishing the same tarball puts back a blob the store lost, and changes nothing else', async () => {
  const first = await publishVersion(world, '@acme/restored', '1.0.0');
  const hex = blobFileName(first.packed.integrity);
  await rm(path.join(world.blobDir, 'sha512', hex.slice(0, 2), hex));
  await assert.rejects(world.service.download('@acme/restored', '1.0.0'), hasCode(RegistryError, 'BLOB_MISSING'));
  const again = await world.service.publish({ tarball: first.packed.tarball, publisher: sign(first.packed, world.keys.acme) });
  assert.equal(again.created, false);
  assert.deepEqual(again.version.registry, first.result.version.registry, 'the same countersignature');
  assert.equal((await world.service.download('@acme/restored', '1.0.0')).integrity, first.packed.integrity);
});

test('an untrusted, out-of-scope or wrong signature is refused and nothing is stored', async () => {
  const packed = await packVersion('@acme/refused', '1.0.0');
  const blobsBefore = await blobCount();
  await assert.rejects(world.service.publish({ tarball: packed.tarball, publisher: sign(packed, world.keys.stranger) }), hasCode(SignatureError, 'UNTRUSTED_KEY'));
  await assert.rejects(world.service.publish({ tarball: packed.tarball, publisher: sign(packed, world.keys.other) }), hasCode(SignatureError, 'KEY_OUT_OF_SCOPE'));
  const another = await packVersion('@acme/refused', '1.0.1');
  await assert.rejects(world.service.publish({ tarball: packed.tarball, publisher: sign(another, world.keys.acme) }), hasCode(SignatureError, 'BAD_SIGNATURE'));
  await assert.rejects(world.service.publish({ tarball: packed.tarball, publisher: { keyId: world.keys.acme.keyId, signature: 'nope' } }), hasCode(SignatureError, 'MALFORMED'));

  await assert.rejects(world.service.versions('@acme/refused'), hasCode(RegistryError, 'NOT_FOUND'));
  assert.equal(await world.blobs.has(packed.integrity), false);
  assert.equal(await blobCount(), blobsBefore);
  assert.equal((await world.service.list({ query: 'refused' })).total, 0, 'no package row either');
});

test('an unsafe tarball is refused before anything else, with the unpacker\'s code', async () => {
  const evil = packageWith(rawEntry({ name: 'package/../../etc/cron.d/evil' }, 'x'));
  await assert.rejects(world.service.publish({ tarball: evil, publisher: { keyId: world.keys.acme.keyId, signature: 'x' } }), (error: unknown) => error instanceof UnsafeArchiveError);
  await assert.rejects(world.service.publish({ tarball: Buffer.from('not a tarball'), publisher: { keyId: world.keys.acme.keyId, signature: 'x' } }), hasCode(UnsafeArchiveError, 'MALFORMED'));
});

test('a tampered blob on disk is refused on download, not served', async () => {
  const { packed } = await publishVersion(world, '@acme/tampered', '1.0.0');
  const hex = blobFileName(packed.integrity);
  await writeFile(path.join(world.blobDir, 'sha512', hex.slice(0, 2), hex), Buffer.concat([packed.tarball, Buffer.from([0])]));
  await assert.rejects(world.service.download('@acme/tampered', '1.0.0'), (error: unknown) => error instanceof BlobIntegrityError && error.code === 'BLOB_CORRUPT');
});

test('download of an unknown version is NOT_FOUND', async () => {
  await assert.rejects(world.service.download('@acme/greeter', '9.9.9'), hasCode(RegistryError, 'NOT_FOUND'));
  await assert.rejects(world.service.download('@acme/nothing', '1.0.0'), hasCode(RegistryError, 'NOT_FOUND'));
});

test('a yanked version is still downloaded exactly, but resolution by range skips it; unyank restores it', async () => {
  await publishVersion(world, '@acme/dice', '1.0.0');
  await publishVersion(world, '@acme/dice', '1.1.0');
  const yanked = await world.service.yank('@acme/dice', '1.1.0', 'rolls only sixes');
  assert.equal(yanked.yanked, true);
  assert.equal(yanked.yankedReason, 'rolls only sixes');

  const download = await world.service.download('@acme/dice', '1.1.0');
  assert.equal(download.yanked, true);
  verifyPluginTarball(download, world.trust);

  const versions = await world.service.versions('@acme/dice');
  assert.deepEqual(versions.map((v) => [v.version, v.yanked]), [['1.0.0', false], ['1.1.0', true]]);
  assert.equal(resolveVersion(versions, '^1.0.0').version, '1.0.0');
  assert.deepEqual(resolveVersion(versions, '1.1.0'), { version: '1.1.0', keptCurrent: false, yanked: true });

  const restored = await world.service.unyank('@acme/dice', '1.1.0');
  assert.deepEqual([restored.yanked, restored.yankedReason], [false, null]);
  assert.equal(resolveVersion(await world.service.versions('@acme/dice'), '^1.0.0').version, '1.1.0');

  await assert.rejects(world.service.yank('@acme/dice', '7.0.0', 'x'), hasCode(RegistryError, 'NOT_FOUND'));
  await assert.rejects(world.service.yank('@acme/dice', '1.0.0', '  '), hasCode(RegistryError, 'INVALID_INPUT'));
});

test('list searches names and display names, and pages', async () => {
  await publishVersion(world, '@acme/list-alpha', '1.0.0', world.keys.acme, { displayName: 'Weather Station' });
  await publishVersion(world, '@acme/list-alpha', '2.0.0', world.keys.acme, { displayName: 'Weather Station Two' });
  await publishVersion(world, '@acme/list-beta', '0.1.0', world.keys.acme, { displayName: 'Moderation' });
  await publishVersion(world, '@other/list-gamma', '1.0.0', world.keys.other, { displayName: 'Polls 100%' });

  const byName = await world.service.list({ query: 'LIST-' });
  assert.deepEqual(byName.packages.map((p) => p.name), ['@acme/list-alpha', '@acme/list-beta', '@other/list-gamma']);
  assert.equal(byName.total, 3);
  const alpha = byName.packages[0]!;
  assert.deepEqual([alpha.latest, alpha.displayName, alpha.versionCount], ['2.0.0', 'Weather Station Two', 2]);

  assert.deepEqual((await world.service.list({ query: 'weather' })).packages.map((p) => p.name), ['@acme/list-alpha']);
  assert.deepEqual((await world.service.list({ query: '100%' })).packages.map((p) => p.name), ['@other/list-gamma']);
  assert.equal((await world.service.list({ query: '%' })).total, 1, 'LIKE wildcards are matched literally');

  const page = await world.service.list({ query: 'list-', limit: 2, offset: 2 });
  assert.deepEqual([page.total, page.packages.map((p) => p.name)], [3, ['@other/list-gamma']]);
  const past = await world.service.list({ query: 'list-', limit: 2, offset: 10 });
  assert.deepEqual([past.total, past.packages], [3, []]);
  await assert.rejects(world.service.list({ limit: 0 }), hasCode(RegistryError, 'INVALID_INPUT'));
  await assert.rejects(world.service.list({ limit: 101 }), hasCode(RegistryError, 'INVALID_INPUT'));
  assert.ok((await world.service.list()).total >= 3);
});

test('buildIndex: serials strictly increase, the index verifies and lists every version with its yank flag', async () => {
  await publishVersion(world, '@acme/indexed', '1.0.0');
  await publishVersion(world, '@acme/indexed', '1.1.0');
  await world.service.yank('@acme/indexed', '1.1.0', 'broken');

  const first = await world.service.buildIndex({ validForMs: 60_000 });
  const second = await world.service.buildIndex({ validForMs: 60_000 });
  assert.ok(second.index.serial > first.index.serial, `${second.index.serial} > ${first.index.serial}`);
  const concurrent = await Promise.all([1, 2, 3].map(() => world.service.buildIndex({ validForMs: 60_000 })));
  const serials = concurrent.map((s) => s.index.serial).sort((a, b) => a - b);
  assert.equal(new Set(serials).size, 3, 'concurrent builds never share a serial');
  assert.ok(serials[0]! > second.index.serial);

  const index = verifyIndex(second, world.trust, new Date());
  assert.equal(second.keyId, world.keys.registry.keyId);
  assert.equal(Date.parse(index.expiresAt) - Date.parse(index.issuedAt), 60_000);
  const indexed = index.packages['@acme/indexed']?.versions;
  assert.deepEqual(Object.keys(indexed ?? {}).sort(), ['1.0.0', '1.1.0']);
  assert.equal(indexed?.['1.1.0']?.yanked, true);
  assert.equal(indexed?.['1.0.0']?.yanked, false);
  assert.equal(indexed?.['1.0.0']?.publisherKeyId, world.keys.acme.keyId);
  const download = await world.service.download('@acme/indexed', '1.0.0');
  assert.equal(indexed?.['1.0.0']?.integrity, download.integrity);

  await assert.rejects(world.service.buildIndex({ validForMs: 0 }), hasCode(RegistryError, 'INVALID_INPUT'));
  const after = await world.service.buildIndex({ validForMs: 1000 });
  assert.ok(after.index.serial > serials[2]!, 'a refused build does not consume or reuse a serial');
});

test('concurrent publishes of one version: exactly one is created, a different tarball loses with VERSION_EXISTS', async () => {
  const a = await packVersion('@acme/race', '1.0.0', { code: 'var __townesPlugin = { default: { a: 1 } };\n' });
  const b = await packVersion('@acme/race', '1.0.0', { code: 'var __townesPlugin = { default: { b: 1 } };\n' });
  const results = await Promise.allSettled([
    world.service.publish({ tarball: a.tarball, publisher: sign(a, world.keys.acme) }),
    world.service.publish({ tarball: b.tarball, publisher: sign(b, world.keys.acme) }),
  ]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(won.length, 1);
  assert.equal(lost.length, 1);
  hasCode(RegistryError, 'VERSION_EXISTS')(lost[0]!.reason);

  const c = await packVersion('@acme/race', '2.0.0');
  const same = await Promise.all([1, 2, 3].map(() => world.service.publish({ tarball: c.tarball, publisher: sign(c, world.keys.acme) })));
  assert.equal(same.filter((r) => r.created).length, 1, 'identical concurrent publishes: one creates, the others are idempotent');
  assert.deepEqual((await world.service.versions('@acme/race')).map((v) => v.version), ['1.0.0', '2.0.0']);
});
