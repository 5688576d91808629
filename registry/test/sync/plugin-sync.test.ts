import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { PackedPlugin } from '../../src/package/index.ts';
import { signAsRegistry, SignatureError } from '../../src/signing/index.ts';
import { TarballIntegrityError, type SignedTarball } from '../../src/verified/verified-plugin.ts';
import { PluginCache } from '../../src/sync/plugin-cache.ts';
import { PluginSync, PluginSyncError } from '../../src/sync/plugin-sync.ts';
import { serviceSource, type RegistrySource } from '../../src/sync/registry-source.ts';
import { makeRegistryWorld, packVersion, publishVersion, sign, type RegistryWorld } from '../service/fixtures.ts';

let world: RegistryWorld;
let alphaPacked: PackedPlugin;
const tempDirs: string[] = [];

before(async () => {
  world = await makeRegistryWorld();
  alphaPacked = (await publishVersion(world, '@acme/alpha', '1.0.0', world.keys.acme, { code: 'var __townesPlugin = { default: { alpha: 1 } };\n' })).packed;
  await publishVersion(world, '@acme/beta', '2.1.0');
  await publishVersion(world, '@acme/gamma', '0.3.0');
  await publishVersion(world, '@other/delta', '1.0.0', world.keys.other);
});
after(async () => {
  await world?.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-plugin-cache-'));
  tempDirs.push(dir);
  return dir;
}

/** A source that counts downloads. */
function counting(source: RegistrySource): RegistrySource & { downloads: number } {
  const counted = {
    downloads: 0,
    index: () => source.index(),
    download(name: string, version: string) {
      counted.downloads++;
      return source.download(name, version);
    },
  };
  return counted;
}

const unreachable: RegistrySource = {
  index: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4873')),
  download: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4873')),
};

/** A source that serves what `alter` makes of the registry's answer. */
function altered(alter: (t: SignedTarball) => SignedTarball): RegistrySource {
  const real = serviceSource(world.service);
  return { index: () => real.index(), download: async (name, version) => alter(await real.download(name, version)) };
}

const syncCode = (code: string) => (error: unknown) => {
  assert.ok(error instanceof PluginSyncError, `expected a PluginSyncError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return true;
};

function flipAByte(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 20] = copy[copy.length - 20]! ^ 0xff;
  return copy;
}

test('a cold fetch downloads, verifies and caches; the next fetch is served from the cache', async () => {
  const dir = await cacheDir();
  const source = counting(serviceSource(world.service));
  const sync = new PluginSync({ source, cache: new PluginCache(dir), trust: world.trust });

  const bundle = await sync.fetch('@acme/alpha', '1.0.0');
  assert.equal(bundle.manifest.name, '@acme/alpha');
  assert.equal(bundle.manifest.version, '1.0.0');
  assert.match(bundle.code, /alpha: 1/);
  assert.deepEqual(Object.keys(bundle).sort(), ['code', 'manifest']);
  assert.equal(source.downloads, 1);

  const files = (await readdir(dir)).sort();
  assert.deepEqual(files, ['%40acme%2Falpha@1.0.0.json', '%40acme%2Falpha@1.0.0.tgz']);
  const sidecar = JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as Record<string, unknown>;
  const download = await world.service.download('@acme/alpha', '1.0.0');
  assert.equal(sidecar.integrity, download.integrity);
  assert.deepEqual(sidecar.publisher, download.publisher);
  assert.deepEqual(sidecar.registry, download.registry);

  const again = await sync.fetch('@acme/alpha', '1.0.0');
  assert.deepEqual(again, bundle);
  assert.equal(source.downloads, 1, 'the second fetch did not download');

  const verified = await sync.fetchVerified('@acme/alpha', '1.0.0');
  assert.equal(verified.publisherKeyId, world.keys.acme.keyId);
  assert.equal(verified.registryKeyId, world.keys.registry.keyId);
});

test('with the registry unreachable, a second runner starts from the cache', async () => {
  const dir = await cacheDir();
  const online = new PluginSync({ source: serviceSource(world.service), cache: new PluginCache(dir), trust: world.trust });
  const expected = await online.fetch('@acme/beta', '2.1.0');

  const offline = new PluginSync({ source: unreachable, cache: new PluginCache(dir), trust: world.trust });
  assert.deepEqual(await offline.fetch('@acme/beta', '2.1.0'), expected);
});

test('an unreachable registry and an empty cache give a clear error naming the plugin', async () => {
  const sync = new PluginSync({ source: unreachable, cache: new PluginCache(await cacheDir()), trust: world.trust });
  await assert.rejects(sync.fetch('@acme/beta', '2.1.0'), (error: unknown) => {
    syncCode('UNAVAILABLE')(error);
    const message = (error as Error).message;
    assert.match(message, /@acme\/beta@2\.1\.0/);
    assert.match(message, /registry is unreachable/);
    assert.match(message, /nothing is cached/);
    assert.match(message, /ECONNREFUSED/);
    return true;
  });
});

test('a tampered cached tarball is not used: refetched when the registry is up, refused when it is down', async () => {
  const dir = await cacheDir();
  const cache = new PluginCache(dir);
  const source = counting(serviceSource(world.service));
  const sync = new PluginSync({ source, cache, trust: world.trust });
  const expected = await sync.fetch('@acme/gamma', '0.3.0');
  const tarballFile = path.join(dir, '%40acme%2Fgamma@0.3.0.tgz');
  const good = await readFile(tarballFile);

  // Registry down: the altered bytes are refused, never served.
  await writeFile(tarballFile, flipAByte(good));
  const offline = new PluginSync({ source: unreachable, cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(offline.fetch('@acme/gamma', '0.3.0'), syncCode('UNAVAILABLE'));
  assert.deepEqual(await readdir(dir), [], 'the corrupted entry was removed');

  // Registry up: downloaded again and re-cached.
  await sync.fetch('@acme/gamma', '0.3.0');
  assert.equal(source.downloads, 2);
  await writeFile(tarballFile, flipAByte(good));
  const fresh = new PluginSync({ source, cache: new PluginCache(dir), trust: world.trust });
  assert.deepEqual(await fresh.fetch('@acme/gamma', '0.3.0'), expected);
  assert.equal(source.downloads, 3);
  assert.deepEqual(await readFile(tarballFile), good);
});

test('a cached entry whose sidecar was rewritten to match tampered bytes fails the signatures and is not used', async () => {
  const dir = await cacheDir();
  const cache = new PluginCache(dir);
  const online = new PluginSync({ source: serviceSource(world.service), cache, trust: world.trust });
  await online.fetch('@acme/gamma', '0.3.0');

  // A consistent but forged entry: another plugin's (validly packed) bytes under gamma's signatures.
  const forged = await packVersion('@acme/gamma', '0.3.0', { code: 'var __townesPlugin = { default: { evil: true } };\n' });
  const real = (await cache.get('@acme/gamma', '0.3.0'))!;
  await cache.put({ ...real, tarball: forged.tarball, integrity: forged.integrity });

  const offline = new PluginSync({ source: unreachable, cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(offline.fetch('@acme/gamma', '0.3.0'), (error: unknown) => {
    syncCode('CACHE_INVALID_OFFLINE')(error);
    assert.match((error as Error).message, /@acme\/gamma@0\.3\.0.*failed verification.*unreachable/);
    return true;
  });
  assert.equal(await cache.get('@acme/gamma', '0.3.0'), undefined, 'the forged entry was removed');

  const bundle = await online.fetch('@acme/gamma', '0.3.0');
  assert.doesNotMatch(bundle.code, /evil/);
});

test('a source serving a tampered tarball is refused and nothing is cached', async () => {
  const dir = await cacheDir();
  const sync = new PluginSync({ source: altered((t) => ({ ...t, tarball: flipAByte(t.tarball) })), cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(sync.fetch('@acme/alpha', '1.0.0'), TarballIntegrityError);
  assert.deepEqual(await readdir(dir), []);
});

test('a source serving another tarball with a matching integrity is refused (publisher signature) and nothing is cached', async () => {
  const dir = await cacheDir();
  const forged = await packVersion('@acme/alpha', '1.0.0', { code: 'var __townesPlugin = { default: { evil: true } };\n' });
  const sync = new PluginSync({
    source: altered((t) => ({ ...t, tarball: forged.tarball, integrity: forged.integrity })),
    cache: new PluginCache(dir),
    trust: world.trust,
  });
  await assert.rejects(sync.fetch('@acme/alpha', '1.0.0'), SignatureError);
  assert.deepEqual(await readdir(dir), []);
});

test('a tarball signed by a key the operator does not trust is refused and nothing is cached', async () => {
  // Signed end to end by keys outside the trust store: a stranger publisher and a rogue registry.
  const packed = await packVersion('@acme/alpha', '1.0.0', { code: 'var __townesPlugin = { default: { rogue: true } };\n' });
  const publisher = sign(packed, world.keys.stranger);
  const registry = signAsRegistry({ ...packed, publisherKeyId: world.keys.stranger.keyId, privateKeyPem: world.keys.stranger.privateKeyPem });
  const rogue: RegistrySource = {
    index: () => Promise.reject(new Error('not used')),
    download: async (name, version) => ({ name, version, integrity: packed.integrity, tarball: packed.tarball, publisher, registry }),
  };
  const dir = await cacheDir();
  const sync = new PluginSync({ source: rogue, cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(sync.fetch('@acme/alpha', '1.0.0'), SignatureError);
  assert.deepEqual(await readdir(dir), []);

  // The registry's real countersignature kept, the publisher signature by an untrusted key: refused as well.
  const resigned = altered((t) => ({ ...t, publisher: sign(alphaPacked, world.keys.stranger) }));
  const sync2 = new PluginSync({ source: resigned, cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(sync2.fetch('@acme/alpha', '1.0.0'), SignatureError);
  assert.deepEqual(await readdir(dir), []);
});

test('a source answering with another version is refused', async () => {
  const dir = await cacheDir();
  const real = serviceSource(world.service);
  const wrong: RegistrySource = { index: () => real.index(), download: () => real.download('@acme/beta', '2.1.0') };
  const sync = new PluginSync({ source: wrong, cache: new PluginCache(dir), trust: world.trust });
  await assert.rejects(sync.fetch('@acme/alpha', '1.0.0'), syncCode('UNAVAILABLE'));
  assert.deepEqual(await readdir(dir), []);
});

test('prefetch warms a cold cache with bounded concurrency and reports per item', async () => {
  const dir = await cacheDir();
  const real = serviceSource(world.service);
  let active = 0;
  let peak = 0;
  const slow: RegistrySource & { downloads: number } = {
    downloads: 0,
    index: () => real.index(),
    async download(name, version) {
      slow.downloads++;
      active++;
      peak = Math.max(peak, active);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return await real.download(name, version);
      } finally {
        active--;
      }
    },
  };
  const sync = new PluginSync({ source: slow, cache: new PluginCache(dir), trust: world.trust });
  const refs = [
    { name: '@acme/alpha', version: '1.0.0' },
    { name: '@acme/beta', version: '2.1.0' },
    { name: '@acme/gamma', version: '0.3.0' },
    { name: '@other/delta', version: '1.0.0' },
    { name: '@acme/missing', version: '9.9.9' },
    { name: '@acme/alpha', version: '1.0.0' },
  ];
  const results = await sync.prefetch(refs, { concurrency: 2 });
  assert.equal(results.length, refs.length);
  assert.ok(peak <= 2, `at most 2 downloads at a time, saw ${peak}`);
  assert.deepEqual(
    results.map((r) => [r.name, r.version, r.ok]),
    refs.map((r) => [r.name, r.version, r.name !== '@acme/missing']),
  );
  const failed = results[4]!;
  assert.ok(!failed.ok && failed.error instanceof PluginSyncError && /@acme\/missing@9\.9\.9/.test(failed.error.message));
  assert.ok(results[5]!.ok && results[5]!.from === 'cache');

  // Everything that succeeded is now served offline.
  const offline = new PluginSync({ source: unreachable, cache: new PluginCache(dir), trust: world.trust });
  const again = await offline.prefetch(refs.slice(0, 4));
  assert.ok(again.every((r) => r.ok && r.from === 'cache'));
  assert.equal((await offline.fetch('@other/delta', '1.0.0')).manifest.name, '@other/delta');
});

test('concurrent fetches of one version share one download', async () => {
  const dir = await cacheDir();
  const source = counting(serviceSource(world.service));
  const sync = new PluginSync({ source, cache: new PluginCache(dir), trust: world.trust });
  const [a, b, c] = await Promise.all([sync.fetch('@acme/beta', '2.1.0'), sync.fetch('@acme/beta', '2.1.0'), sync.fetch('@acme/beta', '2.1.0')]);
  assert.deepEqual(a, b);
  assert.deepEqual(b, c);
  assert.equal(source.downloads, 1);
});

test('serviceSource.index returns the signed index', async () => {
  const signed = await serviceSource(world.service).index();
  assert.equal(signed.keyId, world.keys.registry.keyId);
  assert.ok(signed.index.packages['@acme/alpha']?.versions['1.0.0']);
});
