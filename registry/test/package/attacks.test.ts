/**
 * Hostile archives: each is hand-crafted (test/fixtures/tar-craft.ts), holds a valid plugin
 * package plus one attack, and must be refused by unpackPlugin with the right code and an error
 * naming the entry. unpackPlugin works in memory, so a throw means nothing was returned,
 * written or loaded.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { DEFAULT_UNPACK_LIMITS, unpackPlugin, UnsafeArchiveError } from '../../src/package/index.ts';
import type { UnpackLimits, UnsafeArchiveCode } from '../../src/package/index.ts';
import { CODE, END, gz, MANIFEST, PACKAGE_JSON, packageWith, rawEntry, rawHeader, tar, validEntries, validFiles } from '../fixtures/tar-craft.ts';

/** Assert that unpacking `tgz` throws an UnsafeArchiveError with `code` and a message matching `message`. */
function refuses(tgz: Buffer, code: UnsafeArchiveCode, message: RegExp, limits?: Partial<UnpackLimits>): UnsafeArchiveError {
  let caught: unknown;
  let result: unknown;
  try {
    result = unpackPlugin(tgz, limits);
  } catch (error) {
    caught = error;
  }
  assert.equal(result, undefined, 'nothing may be returned from a refused archive');
  assert.ok(caught instanceof UnsafeArchiveError, `expected an UnsafeArchiveError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, message);
  return caught;
}

const pkg = (path: string, data: string) => rawEntry({ name: `package/${path}` }, data);

describe('the crafted base package', () => {
  it('is accepted, so every refusal below is caused by its attack alone', () => {
    const unpacked = unpackPlugin(packageWith());
    assert.equal(unpacked.manifest.name, MANIFEST.name);
    assert.equal(unpacked.code, CODE);
    assert.deepEqual([...unpacked.files.keys()].sort(), ['dist/plugin.js', 'package.json', 'townes.plugin.json']);
  });

  it('accepts a path split over the prefix and name fields', () => {
    const long = `package/${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;
    const unpacked = unpackPlugin(packageWith(rawEntry({ prefix: long.slice(0, long.lastIndexOf('/')), name: 'file.txt' }, 'x')));
    assert.equal(unpacked.files.get(long.slice('package/'.length))?.toString(), 'x');
  });
});

describe('path attacks', () => {
  it('refuses package/../evil.js (traversal out of the package)', () => {
    refuses(packageWith(rawEntry({ name: 'package/../evil.js' }, 'x')), 'PATH_TRAVERSAL', /"package\/\.\.\/evil\.js".*path traversal/);
  });

  it('refuses ../x (traversal out of the extraction folder)', () => {
    refuses(packageWith(rawEntry({ name: '../x' }, 'x')), 'PATH_TRAVERSAL', /"\.\.\/x"/);
  });

  it('refuses traversal hidden in the prefix field (prefix "package/..", name "evil.js")', () => {
    refuses(packageWith(rawEntry({ prefix: 'package/..', name: 'evil.js' }, 'x')), 'PATH_TRAVERSAL', /"package\/\.\.\/evil\.js"/);
  });

  it('refuses absolute paths (/etc/passwd, /package/x.js, C:/x)', () => {
    for (const name of ['/etc/passwd', '/package/x.js', 'C:/x']) {
      refuses(packageWith(rawEntry({ name }, 'x')), 'ABSOLUTE_PATH', new RegExp(`"${name}" is an absolute path`));
    }
  });

  it('refuses a backslash path (package\\..\\evil.js is traversal on Windows)', () => {
    refuses(packageWith(rawEntry({ name: 'package\\..\\evil.js' }, 'x')), 'BAD_PATH', /backslash/);
  });

  it('refuses a NUL in the name (a C reader would see "package/a.js")', () => {
    refuses(packageWith(rawEntry({ name: 'package/a.js\0/../../../evil.js' }, 'x')), 'BAD_PATH', /"package\/a\.js".*NUL/);
  });

  it('refuses non-canonical paths (package/./x, package//x, trailing slash)', () => {
    for (const name of ['package/./x.js', 'package//x.js', 'package/dist/']) {
      refuses(packageWith(rawEntry({ name }, 'x')), 'BAD_PATH', /empty or "\." segment/);
    }
  });

  it('refuses entries outside package/', () => {
    for (const name of ['evil.js', 'other/x.js', 'package']) {
      refuses(packageWith(rawEntry({ name }, 'x')), 'OUTSIDE_PACKAGE', new RegExp(`"${name}" is not inside`));
    }
  });

  it('refuses a duplicate entry (which copy wins depends on the reader)', () => {
    refuses(packageWith(pkg('package.json', JSON.stringify({ ...PACKAGE_JSON, name: '@evil/x' }))), 'DUPLICATE_ENTRY', /"package\/package\.json" appears twice/);
  });

  it('refuses names that collide on case-insensitive filesystems', () => {
    refuses(packageWith(pkg('README.md', 'a'), pkg('readme.md', 'b')), 'DUPLICATE_ENTRY', /"package\/readme\.md".*"package\/README\.md"/);
  });
});

describe('entry type attacks', () => {
  it('refuses a symlink entry', () => {
    const e = refuses(gz(tar(...validEntries().slice(0, 2), rawEntry({ name: 'package/dist/plugin.js', type: '2', linkname: '/etc/passwd' }))), 'SYMLINK', /"package\/dist\/plugin\.js" is a symbolic link \(to "\/etc\/passwd"\)/);
    assert.equal(e.entry, 'package/dist/plugin.js');
  });

  it('refuses a hard link entry', () => {
    refuses(packageWith(rawEntry({ name: 'package/copy.json', type: '1', linkname: 'package/package.json' })), 'HARD_LINK', /"package\/copy\.json" is a hard link/);
  });

  it('refuses character devices, block devices and FIFOs', () => {
    for (const [type, kind] of [['3', 'character device'], ['4', 'block device'], ['6', 'FIFO']] as const) {
      refuses(packageWith(rawEntry({ name: 'package/dev', type })), 'SPECIAL_FILE', new RegExp(`"package/dev" is a ${kind}`));
    }
  });

  it('refuses a pax header that would rename the next entry', () => {
    const record = 'path=package/../../evil.js\n';
    const pax = `${record.length + 3} ${record}`;
    refuses(packageWith(rawEntry({ name: 'PaxHeader/evil.js', type: 'x' }, pax), pkg('evil.js', 'x')), 'EXTENDED_HEADER', /"PaxHeader\/evil\.js" is a pax extension header/);
  });

  it('refuses global pax and GNU long-name/long-link headers', () => {
    for (const type of ['g', 'L', 'K']) {
      refuses(packageWith(rawEntry({ name: '././@LongLink', type }, 'package/../evil.js\0')), 'EXTENDED_HEADER', /extension header/);
    }
  });

  it('refuses directories and unknown types', () => {
    refuses(packageWith(rawEntry({ name: 'package/dist', type: '5' })), 'UNSUPPORTED_ENTRY', /a directory/);
    refuses(packageWith(rawEntry({ name: 'package/x', type: '7' })), 'UNSUPPORTED_ENTRY', /"package\/x" has type "7"/);
  });
});

describe('size and count attacks', () => {
  it(`refuses more than maxFiles (${DEFAULT_UNPACK_LIMITS.maxFiles}) entries`, () => {
    const extra = Array.from({ length: DEFAULT_UNPACK_LIMITS.maxFiles - 2 }, (_, i) => pkg(`f${String(i).padStart(3, '0')}.txt`, 'x'));
    const e = refuses(packageWith(...extra), 'TOO_MANY_FILES', /more than 64 entries/);
    assert.equal(e.entry, 'package/f061.txt', 'the 65th entry is the one refused');
    // One fewer is fine.
    assert.equal(unpackPlugin(packageWith(...extra.slice(1))).files.size, 64);
  });

  it('refuses one file over maxFileBytes (8 MiB), from its header', () => {
    const big = randomBytes(DEFAULT_UNPACK_LIMITS.maxFileBytes + 1);
    refuses(packageWith(rawEntry({ name: 'package/big.bin' }, big)), 'FILE_TOO_LARGE', /"package\/big\.bin" is 8388609 bytes, over the 8388608-byte limit/);
  });

  it('refuses a lying header before reading any data (4 GiB declared, no data)', () => {
    refuses(packageWith(rawHeader({ name: 'package/huge.bin', size: 2 ** 32 }), END), 'FILE_TOO_LARGE', /"package\/huge\.bin" is 4294967296 bytes/);
  });

  it('refuses files that add up to more than maxTotalBytes (16 MiB)', () => {
    const eight = DEFAULT_UNPACK_LIMITS.maxFileBytes;
    refuses(packageWith(rawEntry({ name: 'package/a.bin' }, randomBytes(eight)), rawEntry({ name: 'package/b.bin' }, randomBytes(eight))), 'TOTAL_TOO_LARGE', /more than 16777216 bytes \(at "package\/b\.bin"\)/);
  });

  it('applies overridden limits', () => {
    refuses(packageWith(pkg('a.txt', 'x'.repeat(600))), 'FILE_TOO_LARGE', /over the 500-byte limit/, { maxFileBytes: 500 });
    refuses(packageWith(pkg('a.txt', 'x')), 'TOO_MANY_FILES', /more than 3 entries/, { maxFiles: 3 });
  });
});

describe('compression bombs', () => {
  /** A valid header for a 1 GiB file, then 1 GiB of zeros, deflated as a stream (~1 MB, little memory). */
  async function gigabyteBomb(): Promise<Buffer> {
    const gzip = createGzip({ level: 9 });
    const chunks: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
    const zeros = Buffer.alloc(1024 * 1024);
    const write = async (chunk: Buffer) => {
      if (!gzip.write(chunk)) await once(gzip, 'drain');
    };
    await write(tar(...validEntries()).subarray(0, -END.length));
    await write(rawHeader({ name: 'package/bomb.bin', size: 1024 ** 3 }));
    for (let i = 0; i < 1024; i++) await write(zeros);
    gzip.end(END);
    await once(gzip, 'end');
    return Buffer.concat(chunks);
  }

  it('stops a 1 GiB gzip bomb at the size cap', async () => {
    const bomb = await gigabyteBomb();
    assert.ok(bomb.length < 2 * 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
    const started = performance.now();
    refuses(bomb, 'COMPRESSION_BOMB', /compression bomb: it decompresses to more than \d+ bytes.*decompression was stopped/);
    // The cap stops zlib after ~16 MiB of output, not 1 GiB.
    assert.ok(performance.now() - started < 2000, 'decompression was stopped early');
  });

  it('refuses a ratio above 100:1 once past 1 MiB, below the size cap', () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    refuses(packageWith(rawEntry({ name: 'package/zeros.bin' }, zeros)), 'COMPRESSION_BOMB', /expands more than 100:1/);
  });

  it('accepts a small, very compressible package (under the 1 MiB floor)', () => {
    const unpacked = unpackPlugin(packageWith(rawEntry({ name: 'package/zeros.bin' }, Buffer.alloc(512 * 1024))));
    assert.equal(unpacked.files.get('zeros.bin')?.length, 512 * 1024);
  });
});

describe('corrupt archives', () => {
  const good = tar(...validEntries());

  it('refuses a truncated tarball (gzip cut short)', () => {
    const tgz = gz(good);
    refuses(tgz.subarray(0, Math.floor(tgz.length / 2)), 'MALFORMED', /not a valid gzip stream.*truncated/);
  });

  it('refuses a truncated tar stream inside valid gzip', () => {
    refuses(gz(good.subarray(0, 512 + 100)), 'MALFORMED', /not a whole number of 512-byte blocks/);
    refuses(gz(good.subarray(0, 512)), 'MALFORMED', /"package\/package\.json" declares \d+ bytes but the tar stream ends first/);
    refuses(gz(good.subarray(0, -END.length)), 'MALFORMED', /without its end marker/);
    refuses(gz(good.subarray(0, -512)), 'MALFORMED', /ends after one zero block/);
  });

  it('refuses garbage and non-gzip input', () => {
    refuses(randomBytes(2000), 'MALFORMED', /not a gzip stream/);
    refuses(good, 'MALFORMED', /not a gzip stream/);
    refuses(Buffer.alloc(0), 'MALFORMED', /not a gzip stream/);
    refuses(gz(randomBytes(4096)), 'MALFORMED', /not a POSIX ustar header/);
  });

  it('refuses a header whose checksum does not match', () => {
    const bad = Buffer.from(good);
    bad[20] = 'X'.charCodeAt(0); // inside package/package.json's name field
    refuses(gz(bad), 'BAD_CHECKSUM', /checksum \d+ but its bytes sum to \d+/);
    refuses(packageWith(rawEntry({ name: 'package/x.txt', checksumDelta: 1 }, 'x')), 'BAD_CHECKSUM', /"package\/x\.txt"/);
  });

  it('refuses invalid octal numbers and a wrong magic', () => {
    refuses(packageWith(rawEntry({ name: 'package/x.txt', sizeField: '9zz\0' }, 'x')), 'MALFORMED', /invalid size field/);
    refuses(packageWith(rawEntry({ name: 'package/x.txt', sizeField: '\x80\0\0\0\0\0\0\0\0\0\0\x01' }, 'x')), 'MALFORMED', /invalid size field/);
    refuses(packageWith(rawEntry({ name: 'package/x.txt', magic: 'ustar ', version: ' \0' }, 'x')), 'MALFORMED', /not a POSIX ustar header/);
  });

  it('refuses data after the end marker (entries another reader might find)', () => {
    refuses(gz(Buffer.concat([good, pkg('evil.js', 'x'), END])), 'MALFORMED', /data after its end marker/);
  });
});

describe('packages that are not valid plugins', () => {
  const without = (path: string) => gz(tar(...validEntries(validFiles().filter(([p]) => p !== path))));
  const withFile = (path: string, data: string) => gz(tar(...validEntries(validFiles().map(([p, d]) => [p, p === path ? data : d]))));

  it('refuses a package without its entry file', () => {
    refuses(without('dist/plugin.js'), 'MISSING_FILE', /no package\/dist\/plugin\.js \(the bundled entry/);
  });

  it('refuses a package without package.json or townes.plugin.json', () => {
    refuses(without('package.json'), 'MISSING_FILE', /no package\/package\.json/);
    refuses(without('townes.plugin.json'), 'MISSING_FILE', /no package\/townes\.plugin\.json/);
  });

  it('refuses a package.json whose name or version differs from the manifest', () => {
    refuses(withFile('package.json', JSON.stringify({ ...PACKAGE_JSON, name: '@evil/other' })), 'MANIFEST_MISMATCH', /package\.json names @evil\/other@1\.0\.0 but townes\.plugin\.json names @test\/attack@1\.0\.0/);
    refuses(withFile('package.json', JSON.stringify({ ...PACKAGE_JSON, version: '1.0.1' })), 'MANIFEST_MISMATCH', /@test\/attack@1\.0\.1 but .* @test\/attack@1\.0\.0/);
  });

  it('refuses a "townes" key in package.json that says something else', () => {
    const townes = { ...MANIFEST, permissions: ['storage'] };
    refuses(withFile('package.json', JSON.stringify({ ...PACKAGE_JSON, townes })), 'MANIFEST_MISMATCH', /"townes" key of package\.json differs/);
    // The same manifest twice is fine.
    assert.equal(unpackPlugin(withFile('package.json', JSON.stringify({ ...PACKAGE_JSON, townes: MANIFEST }))).manifest.name, MANIFEST.name);
  });

  it('refuses an invalid manifest or package.json', () => {
    refuses(withFile('townes.plugin.json', JSON.stringify({ ...MANIFEST, kernelApi: 'not a range' })), 'INVALID_MANIFEST', /kernelApi: a semver range/);
    refuses(withFile('townes.plugin.json', '{'), 'INVALID_MANIFEST', /townes\.plugin\.json is not valid JSON/);
    refuses(withFile('package.json', '[]'), 'INVALID_PACKAGE_JSON', /must hold a JSON object/);
  });

  it('refuses a manifest entry that points outside the package', () => {
    refuses(withFile('townes.plugin.json', JSON.stringify({ ...MANIFEST, entry: '../evil.js' })), 'PATH_TRAVERSAL', /the manifest entry "\.\.\/evil\.js"/);
  });
});
