/**
 * The independent check: OpenSSL, not this project's code, agrees with our signatures, our key
 * ids and our manifest digests, and the recipe in SIGNING.md works as written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseManifest } from '@townesdev/plugin-contract';
import { canonicalManifest, generateSigningKey, manifestDigest, signAsPublisher, signedDocument, verifyDocument } from '../../src/signing/index.ts';
import { EXAMPLE, docExample } from './doc-examples.ts';
import { integrityOf, manifestFor } from './fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'townes-signing-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

function run(command: string, args: string[], input?: string | Buffer) {
  const result = spawnSync(command, args, { cwd: dir, input, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function opensslVerify(document: Buffer, signatureB64: string, publicKeyPem: string) {
  writeFileSync(file('doc.txt'), document);
  writeFileSync(file('sig.bin'), Buffer.from(signatureB64, 'base64'));
  writeFileSync(file('pub.pem'), publicKeyPem);
  return run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'doc.txt', '-sigfile', 'sig.bin']);
}

describe('openssl agrees with the project', () => {
  const key = generateSigningKey();
  const name = '@acme/greeter';
  const version = '2.1.0';
  const integrity = integrityOf('some tarball');
  const manifest = manifestFor(name, version);
  const { keyId, signature } = signAsPublisher({ name, version, integrity, manifest, privateKeyPem: key.privateKeyPem });
  const document = signedDocument({ role: 'publisher', name, version, integrity, manifest: manifestDigest(manifest), key: keyId });

  test('this machine has OpenSSL 3', () => {
    assert.match(run('openssl', ['version']).out, /^OpenSSL 3\./);
  });

  test('openssl pkeyutl -verify -rawin accepts a signature made by the project', () => {
    const result = opensslVerify(document, signature, key.publicKeyPem);
    assert.equal(result.status, 0, result.out);
    assert.match(result.out, /Signature Verified Successfully/);
  });

  test('and refuses it after a one-byte change of the document', () => {
    const changed = Buffer.from(document);
    const at = changed.indexOf('version: ') + 'version: '.length;
    changed[at] = '3'.charCodeAt(0); // 2.1.0 -> 3.1.0
    const result = opensslVerify(changed, signature, key.publicKeyPem);
    assert.notEqual(result.status, 0);
    assert.match(result.out, /Signature Verification Failure/);
  });

  test('and refuses it under another key', () => {
    const result = opensslVerify(document, signature, generateSigningKey().publicKeyPem);
    assert.notEqual(result.status, 0);
    assert.match(result.out, /Signature Verification Failure/);
  });

  test('without -rawin, OpenSSL 3.0 cannot even start (why SIGNING.md insists on it)', () => {
    opensslVerify(document, signature, key.publicKeyPem);
    const result = run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-in', 'doc.txt', '-sigfile', 'sig.bin']);
    assert.notEqual(result.status, 0);
    assert.doesNotMatch(result.out, /Verified Successfully/);
  });

  test('a signature made by openssl verifies in the project', () => {
    writeFileSync(file('doc.txt'), document);
    writeFileSync(file('priv.pem'), key.privateKeyPem);
    const signed = spawnSync('openssl', ['pkeyutl', '-sign', '-inkey', 'priv.pem', '-rawin', '-in', 'doc.txt'], { cwd: dir });
    assert.equal(signed.status, 0, String(signed.stderr));
    assert.equal(signed.stdout.toString('base64'), signature, 'Ed25519 is deterministic: the same signature');
    assert.equal(verifyDocument(document, signed.stdout.toString('base64'), key.publicKeyPem), true);
  });

  test('the key id, computed with openssl as SIGNING.md says, is keyIdOf', () => {
    writeFileSync(file('pub.pem'), key.publicKeyPem);
    const script = "openssl pkey -pubin -in pub.pem -outform DER | openssl dgst -sha256 -binary | head -c 16 | openssl base64 -A | tr '+/' '-_' | tr -d '='";
    const result = run('sh', ['-c', script]);
    assert.equal(result.status, 0, result.out);
    assert.equal(`ed25519:${result.out.trim()}`, keyId);
  });

  test('the manifest digest, computed with jq -cS and openssl dgst, is manifestDigest', (t) => {
    if (run('sh', ['-c', 'command -v jq']).status !== 0) {
      t.skip('jq is not installed');
      return;
    }
    // The manifest file with every default spelled out, pretty-printed in insertion order.
    writeFileSync(file('manifest.json'), JSON.stringify(parseManifest(manifest), null, 2));
    const canonical = run('jq', ['-cS', '.', 'manifest.json']);
    assert.equal(canonical.out, `${canonicalManifest(manifest)}\n`);
    const digest = run('sh', ['-c', "jq -cS . manifest.json | tr -d '\\n' | openssl dgst -sha512 -binary | openssl base64 -A"]);
    assert.equal(`sha512-${digest.out}`, manifestDigest(manifest));
  });
});

describe('the OpenSSL recipe in SIGNING.md', () => {
  const recipe = docExample('openssl-recipe');

  test('runs as written and verifies the example signature', () => {
    const result = run('sh', ['-e', '-c', recipe]);
    assert.equal(result.status, 0, result.out);
    assert.match(result.out, /^ed25519:Ya-8b1zq1wALm_XxPUTzmg\nSignature Verified Successfully\n$/);
    // The bytes it wrote are the example document.
    assert.equal(readFileSync(file('doc.txt'), 'utf8'), docExample('publisher-document'));
  });

  test('refuses when one byte of the document is changed', () => {
    const tampered = recipe.replace("'version: 1.0.0'", "'version: 1.0.1'");
    assert.notEqual(tampered, recipe);
    const result = run('sh', ['-c', tampered]);
    assert.notEqual(result.status, 0);
    assert.match(result.out, /Signature Verification Failure/);
  });

  test('uses the example values of the rest of the document', () => {
    assert.ok(recipe.includes(`'integrity: ${integrityOf(EXAMPLE.tarball)}'`));
    assert.ok(recipe.includes(`'manifest: ${manifestDigest(EXAMPLE.manifest)}'`));
  });
});
