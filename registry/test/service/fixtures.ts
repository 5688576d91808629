/**
 * Shared fixtures for the registry service tests: a migrated test database, a temp-dir blob
 * store, keys and a trust store, and plugin tarballs packed from temp folders with packPlugin.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { packPlugin, type PackedPlugin } from '../../src/package/index.ts';
import { generateSigningKey, parseTrustStore, signAsPublisher } from '../../src/signing/index.ts';
import type { KeySignature, SigningKey, TrustStore } from '../../src/signing/index.ts';
import { RegistryService } from '../../src/service/registry-service.ts';
import { DiskBlobStore } from '../../src/storage/blob-store.ts';
import { createRegistryOrm, migrateRegistry, type RegistryOrm } from '../../src/storage/registry-orm.ts';

export interface Keys {
  registry: SigningKey;
  acme: SigningKey;
  other: SigningKey;
  stranger: SigningKey;
}

export interface RegistryWorld {
  db: TestDatabase;
  orm: RegistryOrm;
  blobDir: string;
  blobs: DiskBlobStore;
  keys: Keys;
  trust: TrustStore;
  service: RegistryService;
  close(): Promise<void>;
}

export async function makeRegistryWorld(): Promise<RegistryWorld> {
  const keys: Keys = { registry: generateSigningKey(), acme: generateSigningKey(), other: generateSigningKey(), stranger: generateSigningKey() };
  const trust = parseTrustStore({
    version: 1,
    registryKeys: [{ keyId: keys.registry.keyId, publicKey: keys.registry.publicKeyPem, label: 'test registry' }],
    publishers: [
      { keyId: keys.acme.keyId, publicKey: keys.acme.publicKeyPem, scopes: ['@acme/*'], label: 'Acme' },
      { keyId: keys.other.keyId, publicKey: keys.other.publicKeyPem, scopes: ['@other/*'], label: 'Other' },
    ],
  });
  const db = await createTestDatabase('townes_registry_test');
  const orm = await createRegistryOrm(db.url, { logMigrations: false });
  await migrateRegistry(orm);
  const blobDir = await mkdtemp(path.join(os.tmpdir(), 'townes-registry-blobs-'));
  const blobs = new DiskBlobStore(blobDir);
  const service = new RegistryService({ orm, blobs, trust, registryKey: { privateKeyPem: keys.registry.privateKeyPem } });
  return {
    db,
    orm,
    blobDir,
    blobs,
    keys,
    trust,
    service,
    async close() {
      await orm.close();
      await db.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

/** Pack a tiny plugin (no build: a one-line dist/plugin.js) from a temp folder. */
export async function packVersion(name: string, version: string, options: { displayName?: string; code?: string; description?: string } = {}): Promise<PackedPlugin> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-registry-plugin-'));
  try {
    const manifest = { name, version, displayName: options.displayName ?? `Plugin ${name}`, description: options.description ?? '', kernelApi: '^1.0.0', entry: 'dist/plugin.js' };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module' }));
    await writeFile(path.join(dir, 'townes.plugin.json'), JSON.stringify(manifest));
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'dist', 'plugin.js'), options.code ?? `var __townesPlugin = { default: {} }; // ${name}@${version}\n`);
    return await packPlugin(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The publisher signature of a packed version by `key`. */
export function sign(packed: PackedPlugin, key: SigningKey): KeySignature {
  return signAsPublisher({ name: packed.name, version: packed.version, integrity: packed.integrity, manifest: packed.manifest, privateKeyPem: key.privateKeyPem });
}

/** Pack, sign with `key` and publish. */
export async function publishVersion(world: RegistryWorld, name: string, version: string, key: SigningKey = world.keys.acme, options: Parameters<typeof packVersion>[2] = {}) {
  const packed = await packVersion(name, version, options);
  return { packed, result: await world.service.publish({ tarball: packed.tarball, publisher: sign(packed, key) }) };
}
