/**
 * Ed25519 keys, key ids, and raw signing/verification of document bytes (node:crypto only).
 *
 * Ed25519 signs the message itself (no separate pre-hash step), which is why OpenSSL needs
 * `-rawin` to verify our signatures: see SIGNING.md.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface SigningKey {
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

/** `ed25519:` and 22 base64url characters (16 bytes, unpadded). */
export const KEY_ID = /^ed25519:[A-Za-z0-9_-]{22}$/;
/** An Ed25519 signature is 64 bytes: 88 base64 characters, the last two `=`. */
const SIGNATURE_B64 = /^[A-Za-z0-9+/]{86}==$/;

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyId: keyIdOf(publicKey), publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * The key id of a public key: `ed25519:` + base64url (no padding) of the first 16 bytes of the
 * SHA-256 of the key's SubjectPublicKeyInfo DER. Derived, never chosen: a trust store or a
 * signature cannot claim another key's id, and the id survives re-wrapping the PEM.
 * Throws a TypeError when the PEM is not an Ed25519 public key.
 */
export function keyIdOf(publicKeyPem: string): string {
  const parsed = parsedPublicKey(publicKeyPem);
  parsed.keyId ??= keyIdFromKeyObject(parsed.key);
  return parsed.keyId;
}

/** The key id that belongs to a private key (from its public half). */
export function keyIdOfPrivateKey(privateKeyPem: string): string {
  return keyIdFromKeyObject(createPublicKey(ed25519PrivateKey(privateKeyPem)));
}

/** Sign document bytes; returns the 64-byte Ed25519 signature in base64. */
export function signDocument(bytes: Uint8Array, privateKeyPem: string): string {
  // `null` algorithm: Ed25519 hashes internally (PureEdDSA); a digest name would be refused.
  return sign(null, bytes, ed25519PrivateKey(privateKeyPem)).toString('base64');
}

/**
 * True only when `signatureB64` is a well-formed Ed25519 signature of exactly `bytes` by
 * `publicKeyPem`. Never throws: garbage keys or signatures are simply not valid signatures,
 * and the caller turns `false` into an error that explains itself.
 */
export function verifyDocument(bytes: Uint8Array, signatureB64: string, publicKeyPem: string): boolean {
  try {
    if (!isSignatureB64(signatureB64)) return false;
    return verify(null, bytes, parsedPublicKey(publicKeyPem).key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * A well-formed signature string: 64 bytes in canonical base64. Canonical means re-encoding the
 * bytes gives the same text, so one signature has exactly one spelling (no stray bits in the
 * last character, no whitespace that a lenient decoder would skip).
 */
export function isSignatureB64(value: unknown): value is string {
  return typeof value === 'string' && SIGNATURE_B64.test(value) && Buffer.from(value, 'base64').toString('base64') === value;
}

function keyIdFromKeyObject(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest().subarray(0, 16).toString('base64url')}`;
}

/**
 * Public keys parsed once per PEM text. A runner checks every package against the same few
 * trust-store keys, and parsing the PEM twice per signature and exporting and hashing it for the
 * id took a third of the signature check. A KeyObject is immutable and depends on the PEM text
 * alone, so the cached one checks exactly what a fresh one would. Only keys that parsed are
 * kept, and at most MAX_PARSED_KEYS: a caller passing ever new PEMs only loses the cache.
 */
const MAX_PARSED_KEYS = 256;
const parsedKeys = new Map<string, { key: KeyObject; keyId?: string }>();

function parsedPublicKey(pem: string): { key: KeyObject; keyId?: string } {
  let parsed = parsedKeys.get(pem);
  if (!parsed) {
    parsed = { key: ed25519PublicKey(pem) };
    if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.clear();
    parsedKeys.set(pem, parsed);
  }
  return parsed;
}

function ed25519PublicKey(pem: string): KeyObject {
  if (typeof pem !== 'string') throw new TypeError('a public key must be a PEM string');
  // createPublicKey also accepts a private key PEM (and derives the public half): refuse
  // that, so a private key pasted into a trust store by mistake is an error, not a silent leak.
  if (/PRIVATE KEY/.test(pem)) throw new TypeError('expected a public key PEM, got a private key');
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 public key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  return key;
}

function ed25519PrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  return key;
}
