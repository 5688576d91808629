import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PluginResolver, serviceSource } from '../../src/sync/index.ts';
import type { RegistrySource } from '../../src/sync/index.ts';
import type { SignedIndex } from '../../src/signed-index/index.ts';
import { makeRegistryWorld, publishVersion, type RegistryWorld } from '../service/fixtures.ts';

let world: RegistryWorld;
let cacheDir: string;
before(async () => {
  world = await makeRegistryWorld();
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'townes-resolver-'));
  for (const v of ['1.0.0', '1.1.0', '1.2.0', '2.0.0']) await publishVersion(world, '@acme/greeter', v);
  await world.service.yank('@acme/greeter', '1.2.0', 'broken migration');
});
after(async () => {
  await world.close();
  await rm(cacheDir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const down: RegistrySource = {
  index: () => Promise.reject(new Error('connect ECONNREFUSED')),
  download: () => Promise.reject(new Error('connect ECONNREFUSED')),
};

test('ranges resolve through the signed index: yanked versions skipped, no silent downgrade', async () => {
  const resolver = new PluginResolver({ source: serviceSource(world.service), trust: world.trust, cacheDir, graceMs: HOUR });
  assert.throws(() => resolver.resolve('@acme/greeter', '^1.0.0'), /refresh\(\) first/);
  const r = await resolver.refresh();
  assert.equal(r.offline, false);
  assert.equal(resolver.resolve('@acme/greeter', '^1.0.0').version, '1.1.0');
  assert.equal(resolver.resolve('@acme/greeter', '1.2.0').version, '1.2.0');
  assert.throws(() => resolver.resolve('@acme/greeter', '^1.0.0', '2.0.0'), /pin 1\.1\.0 explicitly/);
  assert.throws(() => resolver.resolve('@acme/nothing', '*'), /not in the registry's index/);
});

test('a replayed older index is refused; offline, the last accepted index is used', async () => {
  let replay: SignedIndex | undefined;
  const recording: RegistrySource = { ...serviceSource(world.service), index: async () => (replay = await world.service.buildIndex({ validForMs: HOUR })) };
  const resolver = new PluginResolver({ source: recording, trust: world.trust, cacheDir, graceMs: HOUR });
  await resolver.refresh();
  const older = replay;
  await resolver.refresh();
  const replaying = new PluginResolver({ source: { ...recording, index: async () => older as SignedIndex }, trust: world.trust, cacheDir, graceMs: HOUR });
  await assert.rejects(replaying.refresh(), (e: unknown) => (e as { code?: string }).code === 'ROLLBACK');

  const offline = new PluginResolver({ source: down, trust: world.trust, cacheDir, graceMs: HOUR });
  const r = await offline.refresh();
  assert.equal(r.offline, true);
  assert.equal(offline.resolve('@acme/greeter', '^2.0.0').version, '2.0.0');
  // Frozen: long after the stored index expired, it is no longer used.
  await assert.rejects(offline.refresh(new Date(Date.now() + 3 * HOUR)), (e: unknown) => (e as { code?: string }).code === 'EXPIRED');
});

test('never having accepted an index, an unreachable registry is a clear error', async () => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'townes-resolver-empty-'));
  try {
    await assert.rejects(new PluginResolver({ source: down, trust: world.trust, cacheDir: empty, graceMs: HOUR }).refresh(), /registry is unreachable and no index was ever accepted/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
