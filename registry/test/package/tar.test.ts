import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { packTarGz, readTar, readTarGz, writeTar } from '../../src/package/tar.ts';

const entries = [
  { path: 'package/z.txt', data: Buffer.from('last') },
  { path: 'package/a.txt', data: Buffer.from('first') },
  { path: `package/${'long-folder-name/'.repeat(6)}file.js`, data: Buffer.alloc(1000, 7) },
  { path: 'package/empty', data: Buffer.alloc(0) },
  { path: 'package/exact.bin', data: Buffer.alloc(512, 1) },
];

const field = (header: Buffer, offset: number, length: number) => header.subarray(offset, offset + length).toString('latin1');

/** Whether GNU/BSD tar is on this machine, for the interoperability checks. */
const systemTar = (() => {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('tar writer and reader', () => {
  it('a false size claim after the gzip member neither breaks the read nor pins a large buffer', () => {
    const gz = packTarGz(entries);
    // Bytes after the member, ending in an ISIZE that claims 8 MB.
    const claim = Buffer.alloc(8);
    claim.writeUInt32LE(8 * 1024 * 1024, 4);
    const read = readTarGz(Buffer.concat([gz, claim]));
    assert.deepEqual(read.map((e) => e.path), entries.map((e) => e.path).sort());
    for (const e of read) assert.ok(e.data.buffer.byteLength < 1024 * 1024, `${e.path} sits in a ${e.data.buffer.byteLength}-byte buffer`);
  });

  it('round-trips files, sorted by path, long paths through the prefix field', () => {
    const read = readTar(writeTar(entries));
    assert.deepEqual(
      read.map((e) => e.path),
      entries.map((e) => e.path).sort(),
    );
    for (const e of entries) assert.deepEqual(read.find((r) => r.path === e.path)?.data, e.data);
    // Sorted: a.txt (header + 1 block), empty (header), exact.bin (header + 1 block), then the long one.
    const longHeader = writeTar(entries).subarray(512 * 5, 512 * 6);
    const prefix = field(longHeader, 345, 155).replace(/\0+$/, '');
    const name = field(longHeader, 0, 100).replace(/\0+$/, '');
    assert.ok(prefix !== '' && name.length <= 100);
    assert.equal(`${prefix}/${name}`, entries[2]!.path);
  });

  it('writes fixed metadata: mode 0644, uid/gid 0, mtime 0, no user or group names, ustar magic', () => {
    const header = writeTar([{ path: 'package/a.txt', data: Buffer.from('x') }]).subarray(0, 512);
    assert.equal(field(header, 0, 14), 'package/a.txt\0');
    assert.equal(field(header, 100, 8), '0000644\0');
    assert.equal(field(header, 108, 8), '0000000\0');
    assert.equal(field(header, 116, 8), '0000000\0');
    assert.equal(field(header, 124, 12), '00000000001\0');
    assert.equal(field(header, 136, 12), '00000000000\0');
    assert.equal(field(header, 156, 1), '0');
    assert.equal(field(header, 257, 8), 'ustar\x0000');
    assert.equal(field(header, 265, 64), '\0'.repeat(64));
  });

  it('is deterministic: the same files in any order give the same bytes', () => {
    assert.deepEqual(packTarGz(entries), packTarGz([...entries].reverse()));
    // The gzip header carries no mtime and a fixed OS byte.
    const gz = packTarGz(entries);
    assert.deepEqual([...gz.subarray(4, 8)], [0, 0, 0, 0]);
    assert.equal(gz[9], 3);
    assert.deepEqual(readTarGz(gz).map((e) => e.path), entries.map((e) => e.path).sort());
  });

  it('refuses to write what the reader would refuse', () => {
    assert.throws(() => writeTar([{ path: 'package/../x', data: Buffer.alloc(0) }]), /path traversal/);
    assert.throws(() => writeTar([{ path: 'x.js', data: Buffer.alloc(0) }]), /not inside the "package\/" folder/);
    assert.throws(() => writeTar([entries[0]!, entries[0]!]), /listed twice/);
    assert.throws(() => writeTar([{ path: `package/${'x'.repeat(120)}`, data: Buffer.alloc(0) }]), /too long for a ustar header/);
  });

  it('accepts a tarball made by the system tar (--format=ustar)', { skip: !systemTar && 'no tar on this machine' }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'townes-tar-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'package/dist'), { recursive: true });
    await writeFile(join(dir, 'package/package.json'), '{}');
    await writeFile(join(dir, 'package/dist/plugin.js'), 'code');
    execFileSync('tar', ['--format=ustar', '--owner=0', '--group=0', '-czf', 'p.tgz', 'package/package.json', 'package/dist/plugin.js'], { cwd: dir });
    const read = readTarGz(await readFile(join(dir, 'p.tgz')));
    assert.deepEqual(read.map((e) => [e.path, e.data.toString()]), [['package/package.json', '{}'], ['package/dist/plugin.js', 'code']]);
  });

  it('writes tarballs the system tar lists and extracts byte for byte', { skip: !systemTar && 'no tar on this machine' }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'townes-tar-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'p.tgz'), packTarGz(entries));
    const listed = execFileSync('tar', ['-tzf', 'p.tgz'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, entries.map((e) => e.path).sort());
    execFileSync('tar', ['-xzf', 'p.tgz'], { cwd: dir });
    for (const e of entries) assert.deepEqual(await readFile(join(dir, e.path)), e.data);
  });

  it('reads a plain tar stream the same as its gzip', () => {
    assert.deepEqual(readTar(gunzipSync(packTarGz(entries))), readTarGz(packTarGz(entries)));
  });
});
