import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

// The author's path, run the way an author runs it: the `townes` binary in a new folder. The folder
// is inside the repository (.townes/ is ignored by git) so that the new plugin resolves the SDK.
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/townes.ts');
mkdirSync(join(ROOT, '.townes'), { recursive: true });
const work = mkdtempSync(join(ROOT, '.townes', 'cli-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const townes = (...args: string[]) => spawnSync(process.execPath, [BIN, 'plugin', ...args], { cwd: work, encoding: 'utf8', timeout: 60_000 });

test('init, test and build a new plugin from the command line', () => {
  const init = townes('init', '@acme/greeter');
  assert.equal(init.status, 0, init.stderr);
  assert.match(init.stdout, /Created @acme\/greeter/);
  const dir = join(work, 'greeter');
  const tested = townes('test', dir);
  assert.equal(tested.status, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /pass 1/);
  const built = townes('build', dir);
  assert.equal(built.status, 0, built.stderr);
  assert.ok(existsSync(join(dir, 'dist/plugin.js')));
  const manifest = JSON.parse(readFileSync(join(dir, 'townes.plugin.json'), 'utf8')) as { name: string; permissions: string[] };
  assert.equal(manifest.name, '@acme/greeter');
  assert.deepEqual(manifest.permissions, ['storage', 'discord.messages.send']);
});

test('clear errors and exit codes', () => {
  assert.equal(townes('init').status, 64);
  const badName = townes('init', 'Not A Name');
  assert.equal(badName.status, 64);
  assert.match(badName.stderr, /not a valid plugin name/);
  assert.equal(townes('init', '@acme/greeter').status, 73, 'the folder exists and is not empty');
  const noPlugin = townes('build', join(work, 'nowhere'));
  assert.equal(noPlugin.status, 66);
  assert.match(noPlugin.stderr, /has no src\/plugin.ts/);
  assert.equal(townes('frobnicate').status, 64);
  const help = townes('build', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: townes plugin build/);
});

test('keygen, pack, sign and verify: the author\'s supply chain, checked against a trust store', async () => {
  const dir = join(work, 'greeter');
  if (!existsSync(join(dir, 'townes.plugin.json'))) assert.equal(townes('build', dir).status, 0);
  const keys = join(work, 'keys');
  const keygen = townes('keygen', '--out', keys);
  assert.equal(keygen.status, 0, keygen.stderr);
  const keyId = /Key (ed25519:\S+)/.exec(keygen.stdout)?.[1] ?? '';
  const base = keyId.replace(':', '-');
  const packed = townes('pack', dir, '--out', work);
  assert.equal(packed.status, 0, packed.stderr);
  assert.match(packed.stdout, /integrity sha512-/);
  const tgz = join(work, 'acme-greeter-0.1.0.tgz');
  const signed = townes('sign', tgz, '--key', join(keys, `${base}.key.pem`));
  assert.equal(signed.status, 0, signed.stderr);

  const { readFileSync: read, writeFileSync: write } = await import('node:fs');
  const publicKey = read(join(keys, `${base}.pub.pem`), 'utf8');
  const trust = (scopes: string[]) => JSON.stringify({ version: 1, registryKeys: [], publishers: [{ keyId, publicKey, scopes }] });
  write(join(work, 'trust.json'), trust(['@acme/*']));
  write(join(work, 'other-trust.json'), trust(['@other/*']));
  const ok = townes('verify', tgz, '--trust', join(work, 'trust.json'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^OK @acme\/greeter@0\.1\.0/);
  const outOfScope = townes('verify', tgz, '--trust', join(work, 'other-trust.json'));
  assert.equal(outOfScope.status, 1);
  assert.match(outOfScope.stderr, /scope/i);
  const bytes = read(tgz);
  bytes[bytes.length - 30] = (bytes[bytes.length - 30] ?? 0) ^ 1;
  write(tgz, bytes);
  const tampered = townes('verify', tgz, '--trust', join(work, 'trust.json'));
  assert.equal(tampered.status, 1);
  assert.match(tampered.stderr, /does not match the integrity/);
});
