/**
 * The exact bytes that are signed. SIGNING.md describes them byte by byte for people who verify
 * with other tools; a test checks that its example is what this file produces.
 *
 * A document is ASCII text, one `field: value` per line, in a fixed order, each line ending in
 * a single `\n` (no `\r`, no trailing spaces, no BOM), the last line included:
 *
 *   townes-plugin-signature-v1
 *   role: publisher            (or `registry`)
 *   name: <package name>
 *   version: <semver version>
 *   integrity: sha512-<base64> (of the tarball)
 *   manifest: sha512-<base64>  (manifestDigest of the manifest inside it)
 *   key: ed25519:<id>          (the key that signs this document)
 *   publisher-key: ed25519:<id> (registry documents only: the publisher key it accepted)
 *
 * Why this shape: fixed lines leave nothing to canonicalise; the first line names the format
 * and its version, so a signature over these bytes can never be taken for a signature over
 * anything else; the role line keeps a publisher's signature from passing as the registry's
 * (and back) even when one key holds both roles; naming the key binds the signature to the key
 * the trust decision was made about. Every value is checked to be printable ASCII without
 * spaces, so no value can smuggle in a line break and forge a field.
 */
import { PluginName, SemverVersion } from '@townesdev/plugin-contract';
import { KEY_ID } from './keys.ts';
import { SHA512_DIGEST } from './manifest-digest.ts';
import { SignatureError } from './signature-error.ts';

export const DOCUMENT_HEADER = 'townes-plugin-signature-v1';
const KEY_ID_EXPECTED = 'a key id such as ed25519:<22 base64url characters>';

export type SignatureRole = 'publisher' | 'registry';

/** What a signature is about: one version of one package, by content. */
export interface SignedSubject {
  name: string;
  version: string;
  /** The tarball's integrity, `sha512-<base64>`. */
  integrity: string;
  /** `manifestDigest()` of the manifest in the tarball. */
  manifest: string;
}

export type SignedDocumentFields =
  | (SignedSubject & { role: 'publisher'; key: string })
  | (SignedSubject & { role: 'registry'; key: string; publisherKey: string });

/** The document as text (ASCII, so its UTF-8 bytes are its characters). */
export function signedDocumentText(fields: SignedDocumentFields): string {
  const role = check('role', fields.role, (v) => v === 'publisher' || v === 'registry', 'publisher or registry');
  const subject = checkSubject(fields);
  const lines: Array<[label: string, value: string]> = [
    ['role', role],
    ['name', subject.name],
    ['version', subject.version],
    ['integrity', subject.integrity],
    ['manifest', subject.manifest],
    ['key', check('key', fields.key, (v) => KEY_ID.test(v), KEY_ID_EXPECTED)],
  ];
  if (fields.role === 'registry') {
    lines.push(['publisher-key', check('publisher-key', fields.publisherKey, (v) => KEY_ID.test(v), KEY_ID_EXPECTED)]);
  }
  return `${DOCUMENT_HEADER}\n${lines.map(([label, value]) => `${label}: ${value}\n`).join('')}`;
}

/** Check the subject's fields as the document needs them; throws SignatureError('MALFORMED'). */
export function checkSubject(subject: SignedSubject): SignedSubject {
  return {
    name: check('name', subject.name, (v) => PluginName.safeParse(v).success, 'an npm-style package name such as @acme/greeter'),
    version: check('version', subject.version, (v) => SemverVersion.safeParse(v).success, 'a semver version such as 1.2.3'),
    integrity: check('integrity', subject.integrity, (v) => SHA512_DIGEST.test(v), 'sha512-<base64 of 64 bytes>'),
    manifest: check('manifest', subject.manifest, (v) => SHA512_DIGEST.test(v), 'sha512-<base64 of 64 bytes>'),
  };
}

/** The bytes to sign and to verify: the UTF-8 (here: ASCII) encoding of the text. */
export function signedDocument(fields: SignedDocumentFields): Buffer {
  return Buffer.from(signedDocumentText(fields), 'utf8');
}

/** Printable ASCII without space: the alphabet every field value is drawn from. */
const PRINTABLE = /^[\x21-\x7e]+$/;

function check(field: string, value: unknown, valid: (v: string) => boolean, expected: string): string {
  // The printable check comes first and is not redundant with the per-field rules: it is what
  // guarantees the document cannot be ambiguous, whatever a field's own rule allows later.
  if (typeof value !== 'string' || !PRINTABLE.test(value) || !valid(value)) {
    throw new SignatureError('MALFORMED', `cannot build the signed document: ${field} is ${describe(value)}; expected ${expected}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'missing' : `a ${value === null ? 'null' : typeof value}`;
  const shown = JSON.stringify(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}..."` : shown;
}
