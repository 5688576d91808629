import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { KEY_ID, generateSigningKey, keyIdOf, keyIdOfPrivateKey, signDocument, verifyDocument } from '../../src/signing/index.ts';
import { seededKey } from './fixtures.ts';

describe('signing keys', () => {
  const key = generateSigningKey();
  const other = generateSigningKey();
  const bytes = Buffer.from('townes-plugin-signature-v1\nrole: publisher\n');

  test('generateSigningKey gives an Ed25519 PEM pair and its derived id', () => {
    assert.match(key.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(key.keyId, KEY_ID);
    assert.equal(key.keyId, keyIdOf(key.publicKeyPem));
    assert.equal(key.keyId, keyIdOfPrivateKey(key.privateKeyPem));
    assert.notEqual(key.keyId, other.keyId);
  });

  test('key ids are stable: same key, same id, however the PEM is wrapped', () => {
    // Pinned: a change to the derivation would silently break every trust store.
    assert.equal(seededKey('townes example publisher key (never use)').keyId, 'ed25519:Ya-8b1zq1wALm_XxPUTzmg');
    const der = createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
    const rewrapped = `-----BEGIN PUBLIC KEY-----\r\n${der.toString('base64')}\r\n-----END PUBLIC KEY-----\r\n`;
    assert.equal(keyIdOf(rewrapped), key.keyId);
    assert.equal(keyIdOf(key.publicKeyPem), keyIdOf(key.publicKeyPem));
  });

  test('keyIdOf refuses what is not an Ed25519 public key', () => {
    assert.throws(() => keyIdOf('not a key'));
    assert.throws(() => keyIdOf(key.privateKeyPem), /private key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => keyIdOf(ec), /Ed25519/);
  });

  test('sign and verify round-trip; another key, other bytes or a flipped bit fail', () => {
    const signature = signDocument(bytes, key.privateKeyPem);
    assert.equal(Buffer.from(signature, 'base64').length, 64);
    assert.equal(verifyDocument(bytes, signature, key.publicKeyPem), true);
    assert.equal(verifyDocument(bytes, signature, other.publicKeyPem), false);
    assert.equal(verifyDocument(Buffer.concat([bytes, Buffer.from(' ')]), signature, key.publicKeyPem), false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[10]! ^= 1;
    assert.equal(verifyDocument(bytes, flipped.toString('base64'), key.publicKeyPem), false);
  });

  test('verifyDocument never throws on garbage: it answers false', () => {
    const signature = signDocument(bytes, key.privateKeyPem);
    const garbage: unknown[] = ['', 'AAAA', 'not base64 at all!', `${signature} `, signature.replace('==', ''), null, undefined, 42, {}];
    for (const bad of garbage) assert.equal(verifyDocument(bytes, bad as string, key.publicKeyPem), false, `signature ${String(bad)}`);
    // Same bytes, non-canonical base64 (stray bits in the last character): refused.
    const last = signature.at(-3)!;
    const stray = signature.slice(0, -3) + (last === 'A' ? 'B' : String.fromCharCode(last.charCodeAt(0) + 1)) + '==';
    assert.deepEqual(Buffer.from(stray, 'base64'), Buffer.from(signature, 'base64'));
    assert.equal(verifyDocument(bytes, stray, key.publicKeyPem), false);
    for (const badKey of ['', 'garbage', key.privateKeyPem, null]) assert.equal(verifyDocument(bytes, signature, badKey as string), false);
  });
});
