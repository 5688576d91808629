import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SignatureError, canonicalManifest, manifestDigest, signAsPublisher, signAsRegistry, signedDocument, signedDocumentText } from '../../src/signing/index.ts';
import type { SignedDocumentFields } from '../../src/signing/index.ts';
import { EXAMPLE, SIGNING_MD, docExample } from './doc-examples.ts';
import { integrityOf, seededKey } from './fixtures.ts';

const publisherKey = seededKey(EXAMPLE.publisherSeed);
const registryKey = seededKey(EXAMPLE.registrySeed);
const base = {
  name: EXAMPLE.name,
  version: EXAMPLE.version,
  integrity: integrityOf(EXAMPLE.tarball),
  manifest: manifestDigest(EXAMPLE.manifest),
};
const publisherFields: SignedDocumentFields = { role: 'publisher', ...base, key: publisherKey.keyId };

describe('the signed document', () => {
  test('is fixed lines in a fixed order, each ending in \\n', () => {
    const text = signedDocumentText(publisherFields);
    assert.equal(
      text,
      `townes-plugin-signature-v1\nrole: publisher\nname: @acme/greeter\nversion: 1.0.0\nintegrity: ${base.integrity}\nmanifest: ${base.manifest}\nkey: ${publisherKey.keyId}\n`,
    );
    assert.deepEqual(signedDocument(publisherFields), Buffer.from(text, 'ascii'));
    assert.match(text, /^[\x20-\x7e\n]+$/, 'ASCII without \\r or tabs');
  });

  test('the registry document adds the publisher key it accepted, on the last line', () => {
    const text = signedDocumentText({ role: 'registry', ...base, key: registryKey.keyId, publisherKey: publisherKey.keyId });
    assert.ok(text.startsWith('townes-plugin-signature-v1\nrole: registry\nname: @acme/greeter\n'));
    assert.ok(text.endsWith(`key: ${registryKey.keyId}\npublisher-key: ${publisherKey.keyId}\n`));
  });

  test('refuses any field that could make the document ambiguous', () => {
    const bad: Array<[string, Partial<Record<string, unknown>>]> = [
      ['newline in the name', { name: '@acme/x\nversion: 9.9.9' }],
      ['uppercase name', { name: '@Acme/x' }],
      ['space in the version', { version: '1.0.0 ' }],
      ['v-prefixed version', { version: 'v1.0.0' }],
      ['carriage return in the version', { version: '1.0.0\r' }],
      ['control character in the integrity', { integrity: `${base.integrity}\u0000` }],
      ['sha256 integrity', { integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' }],
      ['truncated manifest digest', { manifest: base.manifest.slice(0, 40) }],
      ['key id not of the derived form', { key: 'ed25519:short' }],
      ['non-string name', { name: 42 }],
      ['unknown role', { role: 'admin' }],
    ];
    for (const [what, change] of bad) {
      assert.throws(
        () => signedDocumentText({ ...publisherFields, ...change } as SignedDocumentFields),
        (e: unknown) => e instanceof SignatureError && e.code === 'MALFORMED',
        what,
      );
    }
    assert.throws(() => signedDocumentText({ role: 'registry', ...base, key: registryKey.keyId, publisherKey: 'ed25519:x\nkey: y' }), SignatureError);
  });
});

describe('SIGNING.md examples are what the code produces', () => {
  const publisherDoc = signedDocumentText(publisherFields);
  const registryDoc = signedDocumentText({ role: 'registry', ...base, key: registryKey.keyId, publisherKey: publisherKey.keyId });

  test('documents and canonical manifest, byte for byte, and the stated length', () => {
    assert.equal(docExample('publisher-document'), publisherDoc);
    assert.equal(docExample('registry-document'), registryDoc);
    assert.equal(docExample('canonical-manifest'), `${canonicalManifest(EXAMPLE.manifest)}\n`);
    const stated = /It is (\d+) bytes/.exec(readFileSync(SIGNING_MD, 'utf8'));
    assert.equal(Number(stated?.[1]), Buffer.byteLength(publisherDoc));
  });

  test('signatures by the example keys', () => {
    const input = { name: EXAMPLE.name, version: EXAMPLE.version, integrity: base.integrity, manifest: EXAMPLE.manifest };
    const publisher = signAsPublisher({ ...input, privateKeyPem: publisherKey.privateKeyPem });
    const registry = signAsRegistry({ ...input, publisherKeyId: publisher.keyId, privateKeyPem: registryKey.privateKeyPem });
    assert.equal(`${publisher.signature}\n`, docExample('publisher-signature'));
    assert.equal(`${registry.signature}\n`, docExample('registry-signature'));
  });
});
