import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { integrityOf } from '../../src/package/integrity.ts';
import { cacheEntryStem, PluginCache, PluginCacheError } from '../../src/sync/plugin-cache.ts';
import type { SignedTarball } from '../../src/verified/verified-plugin.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'townes-plugin-cache-unit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(name: string, version: string, bytes = Buffer.from(`bytes of ${name}@${version}`)): SignedTarball {
  return { name, version, integrity: integrityOf(bytes), tarball: bytes, publisher: { keyId: 'ed25519:pub', signature: 'cHVi' }, registry: { keyId: 'ed25519:reg', signature: 'cmVn' } };
}

test('put then get round-trips; no temp files are left behind', async () => {
  const cache = new PluginCache(path.join(dir, 'roundtrip'));
  const e = entry('@acme/one', '1.2.3-beta.1+build.5');
  await cache.put(e);
  const got = await cache.get('@acme/one', '1.2.3-beta.1+build.5');
  assert.ok(got);
  assert.deepEqual({ ...got, tarball: Buffer.from(got.tarball) }, e);
  assert.deepEqual((await readdir(cache.dir)).filter((f) => f.endsWith('.tmp')), []);
  assert.equal(await cache.get('@acme/one', '9.9.9'), undefined);
  await cache.put(entry('@acme/one', '1.2.3-beta.1+build.5', Buffer.from('replaced')));
  assert.equal(Buffer.from((await cache.get('@acme/one', '1.2.3-beta.1+build.5'))!.tarball).toString(), 'replaced');
});

test('odd names and versions are refused, never turned into paths', async () => {
  const cache = new PluginCache(path.join(dir, 'odd'));
  const bad: Array<[string, string]> = [
    ['../escape', '1.0.0'],
    ['@acme/../x', '1.0.0'],
    ['@acme/a/b', '1.0.0'],
    ['a\\b', '1.0.0'],
    ['', '1.0.0'],
    ['UPPER', '1.0.0'],
    ['ok', '../1.0.0'],
    ['ok', '1.0.0/x'],
    ['ok', '1..0'],
    ['ok', ''],
    ['ok', '1.0.0\n'],
  ];
  for (const [name, version] of bad) {
    assert.throws(() => cacheEntryStem(name, version), PluginCacheError, `${name}@${version}`);
    await assert.rejects(cache.get(name, version), PluginCacheError);
    await assert.rejects(cache.put(entry(name, version)), PluginCacheError);
  }
  assert.equal(cacheEntryStem('@acme/x', '1.0.0'), '%40acme%2Fx@1.0.0');
  assert.notEqual(cacheEntryStem('@a/b__c', '1.0.0'), cacheEntryStem('@a__b/c', '1.0.0'));
});

test('a corrupted entry is treated as missing and removed', async () => {
  const cache = new PluginCache(path.join(dir, 'corrupt'));
  const stem = cacheEntryStem('@acme/c', '1.0.0');
  const sidecar = path.join(cache.dir, `${stem}.json`);
  const tarball = path.join(cache.dir, `${stem}.tgz`);
  const corruptions: Array<[string, () => Promise<void>]> = [
    ['bytes changed', () => writeFile(tarball, 'something else')],
    ['sidecar not JSON', () => writeFile(sidecar, '{ nope')],
    ['sidecar for another version', async () => writeFile(sidecar, JSON.stringify({ format: 'townes-plugin-cache-v1', ...entry('@acme/c', '2.0.0'), tarball: undefined }))],
    ['sidecar missing a signature', () => writeFile(sidecar, JSON.stringify({ format: 'townes-plugin-cache-v1', name: '@acme/c', version: '1.0.0', integrity: 'sha512-x' }))],
    ['malformed integrity', () => writeFile(sidecar, JSON.stringify({ format: 'townes-plugin-cache-v1', ...entry('@acme/c', '1.0.0'), tarball: undefined, integrity: 'md5-zzz' }))],
    ['tarball missing', () => rm(tarball)],
  ];
  for (const [label, corrupt] of corruptions) {
    await cache.put(entry('@acme/c', '1.0.0'));
    await corrupt();
    assert.equal(await cache.get('@acme/c', '1.0.0'), undefined, label);
    assert.deepEqual(await readdir(cache.dir), [], `${label}: removed`);
  }
});

test('delete removes an entry and is quiet when there is none', async () => {
  const cache = new PluginCache(path.join(dir, 'delete'));
  await cache.put(entry('plain', '0.0.1'));
  await cache.delete('plain', '0.0.1');
  await cache.delete('plain', '0.0.1');
  assert.equal(await cache.get('plain', '0.0.1'), undefined);
});
