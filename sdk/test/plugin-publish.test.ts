/**
 * `townes plugin publish` and `download` against a real registry server over HTTP (PostgreSQL
 * test database, disk blob store, publish tokens): the happy path, then each error with its
 * message and exit code. Most runs call runPluginCli in process; one runs the binary.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { generateSigningKey, parseTrustStore } from '@townesdev/registry';
import { createRegistryServer } from '@townesdev/registry/http';
import { createRegistryOrm, DiskBlobStore, migrateRegistry, PublishTokens, RegistryService, type RegistryOrm } from '@townesdev/registry/service';
import { runPluginCli } from '../src/cli/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
mkdirSync(join(ROOT, '.townes'), { recursive: true });
const work = mkdtempSync(join(ROOT, '.townes', 'publish-test-'));
const keys = { registry: generateSigningKey(), author: generateSigningKey(), stranger: generateSigningKey() };
let db: TestDatabase;
let orm: RegistryOrm;
let app: FastifyInstance;
let url: string;
let token: string;
let otherToken: string;

before(async () => {
  db = await createTestDatabase('townes_sdk_publish_test');
  orm = await createRegistryOrm(db.url, { logMigrations: false });
  await migrateRegistry(orm);
  const trust = parseTrustStore({ version: 1, registryKeys: [], publishers: [{ keyId: keys.author.keyId, publicKey: keys.author.publicKeyPem, scopes: ['@acme/*'] }] });
  const service = new RegistryService({ orm, blobs: new DiskBlobStore(join(work, 'blobs')), trust, registryKey: { privateKeyPem: keys.registry.privateKeyPem } });
  const tokens = new PublishTokens(orm);
  token = (await tokens.create({ label: 'Acme', scopes: ['@acme/*'] })).token;
  otherToken = (await tokens.create({ label: 'Other', scopes: ['@other/*'] })).token;
  app = await createRegistryServer({ service, tokens, logLevel: 'silent' });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const [name, key] of Object.entries(keys)) writeFileSync(join(work, `${name}.key.pem`), key.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(work, 'runner-trust.json'), JSON.stringify({
    version: 1,
    registryKeys: [{ keyId: keys.registry.keyId, publicKey: keys.registry.publicKeyPem }],
    publishers: [{ keyId: keys.author.keyId, publicKey: keys.author.publicKeyPem, scopes: ['@acme/*'] }],
  }));
});
after(async () => {
  await app?.close();
  await orm?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

/** A built plugin folder (no esbuild: a one-line bundle), as `townes plugin build` leaves it. */
function pluginFolder(name: string, version: string, code = 'var __townesPlugin = { default: {} };\n'): string {
  const dir = join(work, `${name.replace(/\W/g, '_')}-${version}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module' }));
  writeFileSync(join(dir, 'townes.plugin.json'), JSON.stringify({ name, version, displayName: 'Test', kernelApi: '^1.0.0', entry: 'dist/plugin.js' }));
  writeFileSync(join(dir, 'dist/plugin.js'), code);
  return dir;
}

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runPluginCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Pack and sign a folder with the CLI; returns the tarball path. */
async function packAndSign(dir: string, key = 'author'): Promise<string> {
  const out = mkdtempSync(join(work, 'out-'));
  const packed = await cli('pack', dir, '--out', out);
  assert.equal(packed.status, 0, packed.stderr);
  const tgz = /: (\S+\.tgz)/.exec(packed.stdout)?.[1] ?? '';
  assert.equal((await cli('sign', tgz, '--key', join(work, `${key}.key.pem`))).status, 0);
  return tgz;
}

test('publish a signed tarball, publish it again (nothing changes), download it and verify both signatures', async () => {
  const tgz = await packAndSign(pluginFolder('@acme/greeter', '1.0.0'));
  const published = await cli('publish', tgz, '--registry', url, '--token', token);
  assert.equal(published.status, 0, published.stderr);
  assert.match(published.stdout, /^Published @acme\/greeter@1\.0\.0 to /);
  const sig = JSON.parse(readFileSync(`${tgz}.sig.json`, 'utf8')) as { registry?: { keyId: string } };
  assert.equal(sig.registry?.keyId, keys.registry.keyId, "the registry's signature was added to the .sig.json");
  const verified = await cli('verify', tgz, '--trust', join(work, 'runner-trust.json'));
  assert.equal(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /publisher .* and registry .* signatures verified/);

  const again = await cli('publish', tgz, '--registry', url, '--token', token);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already published with this exact tarball: nothing changed/);

  const downloaded = await cli('download', '@acme/greeter@1.0.0', '--registry', url, '--out', join(work, 'dl'));
  assert.equal(downloaded.status, 0, downloaded.stderr);
  const check = await cli('verify', join(work, 'dl', 'acme-greeter-1.0.0.tgz'), '--trust', join(work, 'runner-trust.json'));
  assert.equal(check.status, 0, check.stderr);
  const missing = await cli('download', '@acme/greeter@9.9.9', '--registry', url);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /404 NOT_FOUND/);
});

test('publish a built folder, packed and signed on the way with --key; the token may come from the environment', async () => {
  process.env.TOWNES_REGISTRY_TOKEN = token;
  try {
    const published = await cli('publish', pluginFolder('@acme/folder', '0.2.0'), '--registry', url, '--key', join(work, 'author.key.pem'));
    assert.equal(published.status, 0, published.stderr);
    assert.match(published.stdout, /Published @acme\/folder@0\.2\.0/);
  } finally {
    delete process.env.TOWNES_REGISTRY_TOKEN;
  }
});

test('the registry refusing: another tarball under a published version (1), tokens and keys (77), each explained with a hint', async () => {
  const changed = await packAndSign(pluginFolder('@acme/greeter', '1.0.0', 'var __townesPlugin = { default: { v: 2 } };\n'));
  const exists = await cli('publish', changed, '--registry', url, '--token', token);
  assert.equal(exists.status, 1);
  assert.match(exists.stderr, /409 VERSION_EXISTS/);
  assert.match(exists.stderr, /hint: .*bump the version/);
  assert.match(exists.stderr, /request id: /);

  const tgz = await packAndSign(pluginFolder('@acme/refused', '1.0.0'));
  const badToken = await cli('publish', tgz, '--registry', url, '--token', 'townes_rt_AAAAAAAAAAAA_' + 'A'.repeat(43));
  assert.equal(badToken.status, 77);
  assert.match(badToken.stderr, /401 INVALID_TOKEN/);
  const outOfScope = await cli('publish', tgz, '--registry', url, '--token', otherToken);
  assert.equal(outOfScope.status, 77);
  assert.match(outOfScope.stderr, /403 TOKEN_OUT_OF_SCOPE/);
  const untrusted = await cli('publish', tgz, '--registry', url, '--token', token, '--key', join(work, 'stranger.key.pem'));
  assert.equal(untrusted.status, 77);
  assert.match(untrusted.stderr, /403 UNTRUSTED_KEY/);
  assert.match(untrusted.stderr, /hint: .*trust store/);
});

test('usage and input errors: 64, 65, 66; an unreachable registry: 69', async () => {
  const tgz = await packAndSign(pluginFolder('@acme/errors', '1.0.0'));
  assert.equal((await cli('publish')).status, 64);
  assert.equal((await cli('publish', tgz, '--token', token)).status, 64, 'no registry');
  assert.equal((await cli('publish', tgz, '--registry', 'not a url', '--token', token)).status, 64);
  const noToken = await cli('publish', tgz, '--registry', url);
  assert.equal(noToken.status, 64);
  assert.match(noToken.stderr, /TOWNES_REGISTRY_TOKEN/);
  assert.equal((await cli('publish', pluginFolder('@acme/errors', '2.0.0'), '--registry', url, '--token', token)).status, 64, 'a folder needs --key');
  assert.equal((await cli('publish', join(work, 'nothing.tgz'), '--registry', url, '--token', token)).status, 66);
  const unsigned = await cli('pack', pluginFolder('@acme/unsigned', '1.0.0'), '--out', join(work, 'unsigned'));
  const unsignedTgz = /: (\S+\.tgz)/.exec(unsigned.stdout)?.[1] ?? '';
  const noSig = await cli('publish', unsignedTgz, '--registry', url, '--token', token);
  assert.equal(noSig.status, 66);
  assert.match(noSig.stderr, /townes plugin sign/);
  const otherSig = await cli('publish', unsignedTgz, '--registry', url, '--token', token, '--sig', `${tgz}.sig.json`);
  assert.equal(otherSig.status, 65);
  assert.match(otherSig.stderr, /sign it again/);
  writeFileSync(join(work, 'garbage.tgz'), 'not a tarball');
  assert.equal((await cli('publish', join(work, 'garbage.tgz'), '--registry', url, '--token', token)).status, 65);

  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const down = await cli('publish', tgz, '--registry', `http://127.0.0.1:${closedPort}`, '--token', token);
  assert.equal(down.status, 69);
  assert.match(down.stderr, /cannot be reached \(ECONNREFUSED\)/);
  const help = await cli('publish', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Exit codes/);
});

test('the binary: townes plugin publish with TOWNES_REGISTRY_URL and TOWNES_REGISTRY_TOKEN', async () => {
  const tgz = await packAndSign(pluginFolder('@acme/binary', '1.0.0'));
  const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;
  // asynchronously: the registry answering it runs in this process
  const run = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/townes.ts'), 'plugin', 'publish', tgz], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, TOWNES_REGISTRY_URL: url, TOWNES_REGISTRY_TOKEN: token },
  });
  assert.match(run.stdout, /Published @acme\/binary@1\.0\.0/);
  assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), 'the token is never printed');
});
