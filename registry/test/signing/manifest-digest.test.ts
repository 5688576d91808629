import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManifestError, parseManifest } from '@townesdev/plugin-contract';
import { SHA512_DIGEST, canonicalJson, canonicalManifest, manifestDigest } from '../../src/signing/index.ts';
import { manifestFor } from './fixtures.ts';

describe('canonical JSON', () => {
  test('sorts keys at every depth and writes no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  test('writes strings and numbers as JSON.stringify does, leaves undefined keys out', () => {
    assert.equal(canonicalJson({ s: 'é"\\\n\u0001', n: 1.5, i: 1e21, u: undefined }), '{"i":1e+21,"n":1.5,"s":"é\\"\\\\\\n\\u0001"}');
  });

  test('sorts by UTF-16 code units (RFC 8785), not by locale', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, é: 3, '\u{1F600}': 4, '\uFFFF': 5 }), '{"B":2,"b":1,"é":3,"\u{1F600}":4,"\uFFFF":5}');
  });

  test('refuses what JSON cannot hold instead of writing something else', () => {
    assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
    assert.throws(() => canonicalJson({ n: Infinity }), TypeError);
    assert.throws(() => canonicalJson({ d: new Date(0) }), TypeError);
    assert.throws(() => canonicalJson({ b: 1n }), TypeError);
    assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  });
});

describe('manifestDigest', () => {
  const manifest = manifestFor('@acme/greeter', '1.0.0');
  const digest = manifestDigest(manifest);

  test('is sha512-<base64> of the canonical JSON of the parsed manifest', () => {
    assert.match(digest, SHA512_DIGEST);
    assert.equal(canonicalManifest(manifest), canonicalJson(parseManifest(manifest)));
  });

  test('does not change when the JSON file is reformatted, reordered, or spells out defaults', () => {
    const reformatted = JSON.parse(JSON.stringify(manifest, null, 4)) as object;
    const reordered = Object.fromEntries(Object.entries(manifest).reverse());
    const spelledOut = { ...manifest, description: '', entry: 'dist/plugin.js', limits: { cpuMsPerEvent: 50 } };
    assert.equal(manifestDigest(reformatted), digest);
    assert.equal(manifestDigest(reordered), digest);
    assert.equal(manifestDigest(spelledOut), digest);
    // Parsed or raw: the same digest, because it parses again either way.
    assert.equal(manifestDigest(parseManifest(manifest)), digest);
  });

  test('changes with any change of content, including fields that parseManifest fills by default', () => {
    const changes = [
      { displayName: 'Greeter!' },
      { permissions: ['discord.messages.send', 'storage'] },
      { description: 'now with a description' },
      { entry: 'dist/other.js' },
      { limits: { cpuMsPerEvent: 1000 } },
      { limits: { memoryMb: 128 } },
      { kernelApi: '>=1.0.0' },
    ] as const;
    const digests = new Set([digest]);
    for (const change of changes) {
      const changed = manifestDigest({ ...manifest, ...change });
      assert.notEqual(changed, digest, `changing ${JSON.stringify(change)} must change the digest`);
      digests.add(changed);
    }
    assert.equal(digests.size, changes.length + 1);
  });

  test('refuses an invalid manifest with the ManifestError of parseManifest', () => {
    assert.throws(() => manifestDigest({ ...manifest, limits: { cpuMsPerEvent: 5000 } }), ManifestError);
    assert.throws(() => manifestDigest({ ...manifest, extra: true }), ManifestError);
  });
});
