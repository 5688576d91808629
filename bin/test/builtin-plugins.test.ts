/**
 * The built-in plugins through the registry: key generated once (0600), welcome and xp built,
 * signed and published, a second run publishing nothing new, the returned trust entries enough
 * for a runner to verify them, and the same over HTTP with a token.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { generateSigningKey, parseTrustStore, serviceSource, verifyPluginTarball } from '@townesdev/registry';
import { createRegistryServer } from '@townesdev/registry/http';
import { createRegistryOrm, DiskBlobStore, migrateRegistry, PublishTokens, RegistryService, type RegistryOrm } from '@townesdev/registry/service';
import { BUILTIN_KEY_FILE, ensureBuiltinPublisherKey, publishBuiltinPlugins, trustWithBuiltinPublisher } from '../builtin-plugins.ts';
import { ensureKeyFile, KeyFileError } from '../key-file.ts';

let db: TestDatabase;
let orm: RegistryOrm;
let dataDir: string;
let service: RegistryService;
const registryKey = generateSigningKey();

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'townes-builtin-test-'));
  db = await createTestDatabase('townes_builtin_test');
  orm = await createRegistryOrm(db.url, { logMigrations: false });
  await migrateRegistry(orm);
  const builtin = await ensureBuiltinPublisherKey(dataDir);
  const trust = trustWithBuiltinPublisher(parseTrustStore({ version: 1, registryKeys: [], publishers: [] }), builtin);
  service = new RegistryService({ orm, blobs: new DiskBlobStore(path.join(dataDir, 'blobs')), trust, registryKey: { privateKeyPem: registryKey.privateKeyPem } });
});
after(async () => {
  await orm?.close();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function blobCount(): Promise<number> {
  const root = path.join(dataDir, 'blobs', 'sha512');
  let n = 0;
  for (const shard of await readdir(root).catch(() => [] as string[])) n += (await readdir(path.join(root, shard))).length;
  return n;
}

test('the built-in key is generated once, private (0600), and trusted for @townesdev/* only', async () => {
  const first = await ensureBuiltinPublisherKey(dataDir);
  const again = await ensureBuiltinPublisherKey(dataDir);
  assert.equal(again.created, false);
  assert.equal(again.key.keyId, first.key.keyId);
  assert.equal((await stat(path.join(dataDir, BUILTIN_KEY_FILE))).mode & 0o777, 0o600);
  assert.deepEqual(first.trustEntry.scopes, ['@townesdev/*']);
});

test('first start publishes welcome and xp; a second start publishes nothing new', async () => {
  const first = await publishBuiltinPlugins({ target: { service }, dataDir });
  assert.deepEqual(first.plugins.map((p) => [p.name, p.status]), [['@townesdev/welcome', 'published'], ['@townesdev/xp', 'published']]);
  const blobs = await blobCount();

  const second = await publishBuiltinPlugins({ target: { service }, dataDir });
  assert.deepEqual(second.plugins.map((p) => p.status), ['unchanged', 'unchanged']);
  assert.deepEqual(second.plugins.map((p) => p.integrity), first.plugins.map((p) => p.integrity), 'the same sources pack to the same bytes');
  assert.equal(await blobCount(), blobs);
  assert.equal((await service.list()).total, 2);
  assert.deepEqual(second.trust, first.trust);
});

test('the returned trust entries are what a runner needs to verify the built-in plugins', async () => {
  const result = await publishBuiltinPlugins({ target: { service }, dataDir });
  const runnerTrust = parseTrustStore({ version: 1, ...result.trust });
  const source = serviceSource(service);
  for (const p of result.plugins) {
    const verified = verifyPluginTarball(await source.download(p.name, p.version), runnerTrust);
    assert.equal(verified.publisherKeyId, result.publisherKey.keyId);
    assert.equal(verified.registryKeyId, registryKey.keyId);
    assert.ok(verified.code.length > 100);
  }
});

test('over HTTP with a token: the same idempotent publish, and the registry key read from the registry', async () => {
  const tokens = new PublishTokens(orm);
  const { token } = await tokens.create({ label: 'built-in', scopes: ['@townesdev/*'] });
  const app = await createRegistryServer({ service, tokens, logLevel: 'silent' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const result = await publishBuiltinPlugins({ target: { url, token }, dataDir });
    assert.deepEqual(result.plugins.map((p) => p.status), ['unchanged', 'unchanged']);
    assert.equal(result.trust.registryKeys[0]?.keyId, registryKey.keyId);
  } finally {
    await app.close();
  }
});

test('a plugin changed without a version bump is reported as a conflict, not published', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-builtin-changed-'));
  try {
    const welcome = new URL('../../plugins/welcome/', import.meta.url).pathname;
    await cp(path.join(welcome, 'src'), path.join(dir, 'src'), { recursive: true });
    await cp(path.join(welcome, 'package.json'), path.join(dir, 'package.json'));
    const source = path.join(dir, 'src', 'plugin.ts');
    await writeFile(source, (await readFile(source, 'utf8')) + '\n// a change without a version bump\nexport const changed = 1;\n');
    // resolve the SDK from the repository, as the real plugins do
    await symlink(new URL('../../node_modules/', import.meta.url).pathname, path.join(dir, 'node_modules'));
    const result = await publishBuiltinPlugins({ target: { service }, dataDir, plugins: [dir] });
    assert.equal(result.plugins[0]?.status, 'conflict');
    assert.match(result.plugins[0]?.message ?? '', /without a version bump/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a key file others can read is refused, with the fix', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-builtin-perm-'));
  try {
    await ensureBuiltinPublisherKey(dir);
    await chmod(path.join(dir, BUILTIN_KEY_FILE), 0o644);
    await assert.rejects(ensureBuiltinPublisherKey(dir), (error: unknown) => error instanceof KeyFileError && /chmod 600/.test(error.message));
    await writeFile(path.join(dir, 'bad.pem'), 'not a key', { mode: 0o600 });
    await assert.rejects(ensureKeyFile(path.join(dir, 'bad.pem')), KeyFileError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a data folder replaced (a new built-in key) while the registry kept the versions: a conflict that says so, not "unchanged"', async () => {
  await publishBuiltinPlugins({ target: { service }, dataDir });
  const otherDir = await mkdtemp(path.join(os.tmpdir(), 'townes-builtin-other-'));
  try {
    const other = await ensureBuiltinPublisherKey(otherDir);
    const both = trustWithBuiltinPublisher(trustWithBuiltinPublisher(parseTrustStore({ version: 1, registryKeys: [], publishers: [] }), await ensureBuiltinPublisherKey(dataDir)), other);
    const sameDb = new RegistryService({ orm, blobs: new DiskBlobStore(path.join(dataDir, 'blobs')), trust: both, registryKey: { privateKeyPem: registryKey.privateKeyPem } });
    const result = await publishBuiltinPlugins({ target: { service: sameDb }, dataDir: otherDir });
    assert.deepEqual(result.plugins.map((p) => p.status), ['conflict', 'conflict']);
    assert.match(result.plugins[0]!.message ?? '', /published earlier with another built-in key .* runners that trust this installation will refuse it/);
  } finally {
    await rm(otherDir, { recursive: true, force: true });
  }
});
