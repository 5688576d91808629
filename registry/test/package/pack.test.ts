/**
 * Pack → unpack of the real built-in xp plugin. The plugin is built in memory and its outputs
 * are written into temporary copies of plugins/xp, never into plugins/xp itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPlugin } from '@townesdev/sdk/build';
import type { BuiltPlugin } from '@townesdev/sdk/build';
import { checkIntegrity, integrityOf, packPlugin, unpackPlugin, UnsafeArchiveError } from '../../src/package/index.ts';

const XP = resolve(import.meta.dirname, '../../../plugins/xp');

let root: string;
let built: BuiltPlugin;
let copies = 0;

/** A copy of plugins/xp (without build outputs) with this build's outputs written into it, as `townes plugin build` would. */
async function builtCopy(options: { build?: boolean } = {}): Promise<string> {
  const dir = join(root, `xp-${++copies}`);
  await cp(XP, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|townes\.plugin\.json)$/.test(src) });
  if (options.build !== false) {
    await mkdir(dirname(join(dir, built.manifest.entry)), { recursive: true });
    await writeFile(join(dir, built.manifest.entry), built.code);
    await writeFile(join(dir, 'townes.plugin.json'), JSON.stringify(built.manifest, null, 2) + '\n');
  }
  return dir;
}

const isRefusal = (code: string, message: RegExp) => (error: unknown) => error instanceof UnsafeArchiveError && error.code === code && message.test(error.message);

describe('packPlugin and unpackPlugin on plugins/xp', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'townes-pack-'));
    built = await buildPlugin({ dir: XP, write: false });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('round-trips: unpacking gives back the built manifest and code (a PluginBundle)', async () => {
    const dir = await builtCopy();
    const packed = await packPlugin(dir);
    assert.equal(packed.name, '@townesdev/xp');
    assert.equal(packed.version, '1.0.0');
    assert.deepEqual(packed.manifest, built.manifest);
    // Only what a runner needs: no sources, tests or build inputs.
    assert.deepEqual(packed.files, ['dist/plugin.js', 'package.json', 'townes.plugin.json']);

    const unpacked = unpackPlugin(packed.tarball);
    assert.deepEqual(unpacked.manifest, built.manifest);
    assert.equal(unpacked.code, built.code);
    assert.deepEqual([...unpacked.files.keys()].sort(), packed.files);
    for (const file of packed.files) assert.deepEqual(unpacked.files.get(file), await readFile(join(dir, file)), file);
  });

  it('packs README.md and LICENSE when present, and nothing else from the folder', async () => {
    const dir = await builtCopy();
    await writeFile(join(dir, 'README.md'), '# XP\n');
    await writeFile(join(dir, 'LICENSE'), 'UNLICENSED\n');
    await writeFile(join(dir, '.npmrc'), '//registry.npmjs.org/:_authToken=secret\n');
    await writeFile(join(dir, 'dist', 'extra.js'), 'not the entry');
    const packed = await packPlugin(dir);
    assert.deepEqual(packed.files, ['LICENSE', 'README.md', 'dist/plugin.js', 'package.json', 'townes.plugin.json']);
    assert.equal(unpackPlugin(packed.tarball).files.get('README.md')?.toString(), '# XP\n');
  });

  it('is deterministic: two packs, and a copy with other timestamps, give the same bytes', async () => {
    const dir = await builtCopy();
    const first = await packPlugin(dir);
    const second = await packPlugin(dir);
    assert.deepEqual(second.tarball, first.tarball);

    const other = await builtCopy();
    const past = new Date('2001-02-03T04:05:06Z');
    for (const file of first.files) await utimes(join(other, file), past, past);
    const third = await packPlugin(other);
    assert.deepEqual(third.tarball, first.tarball);
    assert.equal(third.integrity, first.integrity);
  });

  it('gives the tarball\'s sha512 integrity, which a changed byte fails', async () => {
    const packed = await packPlugin(await builtCopy());
    assert.match(packed.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
    assert.equal(packed.integrity, integrityOf(packed.tarball));
    assert.equal(checkIntegrity(packed.tarball, packed.integrity), true);
    const tampered = Buffer.from(packed.tarball);
    tampered[tampered.length >> 1]! ^= 0xff;
    assert.equal(checkIntegrity(tampered, packed.integrity), false);
  });

  it('asks for a build when townes.plugin.json or the entry is missing', async () => {
    const dir = await builtCopy({ build: false });
    await assert.rejects(packPlugin(dir), /townes\.plugin\.json does not exist; build the plugin first/);
    await writeFile(join(dir, 'townes.plugin.json'), JSON.stringify(built.manifest));
    await assert.rejects(packPlugin(dir), /dist\/plugin\.js does not exist; the manifest names it as the entry; build the plugin first/);
  });

  it('refuses a package.json that names another plugin', async () => {
    const dir = await builtCopy();
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, name: '@townesdev/plugin-xp' }));
    await assert.rejects(packPlugin(dir), isRefusal('MANIFEST_MISMATCH', /package\.json names @townesdev\/plugin-xp@1\.0\.0 but townes\.plugin\.json names @townesdev\/xp@1\.0\.0/));
  });

  it('refuses an invalid built manifest', async () => {
    const dir = await builtCopy();
    await writeFile(join(dir, 'townes.plugin.json'), JSON.stringify({ ...built.manifest, permissions: ['root'] }));
    await assert.rejects(packPlugin(dir), isRefusal('INVALID_MANIFEST', /permissions\.0/));
  });

  it('never follows a symlink out of the folder', async () => {
    const secret = join(root, 'secret.txt');
    await writeFile(secret, 'secret');
    const dir = await builtCopy();
    await symlink(secret, join(dir, 'README.md'));
    await assert.rejects(packPlugin(dir), /README\.md is a symbolic link; a plugin package holds regular files only/);
    const other = await builtCopy();
    await rm(join(other, built.manifest.entry));
    await symlink(secret, join(other, built.manifest.entry));
    await assert.rejects(packPlugin(other), /plugin\.js is a symbolic link/);
  });

  it('refuses to pack what the registry would refuse to unpack (an entry over 8 MiB)', async () => {
    const dir = await builtCopy();
    await writeFile(join(dir, built.manifest.entry), randomBytes(9 * 1024 * 1024).toString('base64'));
    await assert.rejects(packPlugin(dir), isRefusal('FILE_TOO_LARGE', /"package\/dist\/plugin\.js" is \d+ bytes, over the 8388608-byte limit/));
  });
});
