/**
 * Signing a package version (publisher, then registry) and verifying both signatures against
 * the operator's trust store: the check the runner makes before a plugin reaches a sandbox, and
 * (publisher half only) the check the registry makes before it countersigns.
 *
 * What the caller has already done: checked the tarball against `integrity` and taken the
 * manifest out of that tarball. What this file adds: recompute the manifest digest from that
 * manifest (so a manifest edited after signing fails), rebuild both documents from the name,
 * version and digests the caller is about to use (so signatures of another version fail), and
 * decide whether the keys may speak for this package.
 *
 * Order of checks: inputs first (MALFORMED), then trust (which key, which scope, revoked or
 * not), then the signatures themselves; each failure names the package, the key and a next step.
 */
import { ManifestError, parseManifest } from '@townesdev/plugin-contract';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { KEY_ID, isSignatureB64, keyIdOfPrivateKey, signDocument, verifyDocument } from './keys.ts';
import { manifestDigest } from './manifest-digest.ts';
import { SignatureError } from './signature-error.ts';
import { checkSubject, signedDocument } from './signed-document.ts';
import type { SignedSubject } from './signed-document.ts';
import { describeKey, findPublisherKey, findRegistryKey, keyIdMismatch, scopesCovering } from './trust-store.ts';
import type { TrustStore } from './trust-store.ts';

/** One version of a package as the caller holds it: the manifest is the one from the tarball. */
export interface PackageVersion {
  name: string;
  version: string;
  /** The tarball's integrity (`sha512-<base64>`), already checked against the tarball's bytes. */
  integrity: string;
  /** The manifest read from the tarball, raw or parsed. */
  manifest: unknown;
}

export interface KeySignature {
  keyId: string;
  /** base64 Ed25519 signature over the signed document. */
  signature: string;
}

export interface VerifyPublisherInput extends PackageVersion {
  publisher: KeySignature;
  trust: TrustStore;
}

export interface VerifyPackageInput extends VerifyPublisherInput {
  registry: KeySignature;
  /** The moment to check registry keys' `notAfter` against; defaults to now. */
  now?: Date;
}

/** Publisher signature: covers the name, version, tarball and manifest. */
export function signAsPublisher(input: PackageVersion & { privateKeyPem: string }): KeySignature {
  const subject = subjectOf(input);
  const keyId = keyIdOfPrivateKey(input.privateKeyPem);
  return { keyId, signature: signDocument(signedDocument({ role: 'publisher', ...subject, key: keyId }), input.privateKeyPem) };
}

/**
 * Registry countersignature: the same subject, plus the publisher key it accepted. Sign only
 * after `verifyPublisherSignature` passed against the registry's own trust store: this function
 * signs whatever it is given.
 */
export function signAsRegistry(input: PackageVersion & { publisherKeyId: string; privateKeyPem: string }): KeySignature {
  const subject = subjectOf(input);
  const keyId = keyIdOfPrivateKey(input.privateKeyPem);
  const document = signedDocument({ role: 'registry', ...subject, key: keyId, publisherKey: input.publisherKeyId });
  return { keyId, signature: signDocument(document, input.privateKeyPem) };
}

/** The publisher half of the check (what the registry runs before it countersigns). */
export function verifyPublisherSignature(input: VerifyPublisherInput): { publisherKeyId: string } {
  const subject = subjectOf(input);
  wellFormed(subject, 'publisher', input.publisher);
  checkPublisher(subject, input.publisher, input.trust);
  return { publisherKeyId: input.publisher.keyId };
}

/**
 * The runner's check: both signatures, against the operator's trust store. Returns the key ids
 * that vouched for the package; throws SignatureError otherwise.
 */
export function verifyPackageSignatures(input: VerifyPackageInput): { publisherKeyId: string; registryKeyId: string } {
  const subject = subjectOf(input);
  wellFormed(subject, 'publisher', input.publisher);
  wellFormed(subject, 'registry', input.registry);
  checkPublisher(subject, input.publisher, input.trust);
  checkRegistry(subject, input.publisher.keyId, input.registry, input.trust, input.now ?? new Date());
  return { publisherKeyId: input.publisher.keyId, registryKeyId: input.registry.keyId };
}

function checkPublisher(subject: SignedSubject, publisher: KeySignature, trust: TrustStore): void {
  const pkg = `${subject.name}@${subject.version}`;
  const entry = findPublisherKey(trust, publisher.keyId);
  if (!entry) {
    throw new SignatureError(
      'UNTRUSTED_KEY',
      `${pkg} is signed by publisher key ${publisher.keyId}, which is not in the trust store. If you trust this publisher, ` +
        `get their public key, check that its id is ${publisher.keyId}, and add it under "publishers" with the scopes it may sign; otherwise do not install ${subject.name}.`,
    );
  }
  const publisherProblem = keyIdMismatch(entry, 'publishers');
  if (publisherProblem) throw new SignatureError('MALFORMED', publisherProblem);
  if (entry.revoked) {
    throw new SignatureError(
      'KEY_REVOKED',
      `${pkg} is signed by publisher key ${describeKey(entry)}, revoked on ${entry.revoked.at} (${entry.revoked.reason}). ` +
        `It is refused for every version; ask the publisher for ${subject.name} signed with their current key, or uninstall it.`,
    );
  }
  if (scopesCovering(entry, subject.name).length === 0) {
    throw new SignatureError(
      'KEY_OUT_OF_SCOPE',
      `${pkg} is signed by publisher key ${describeKey(entry)}, which the trust store allows to sign only ${entry.scopes.join(', ')}. ` +
        `If this publisher really owns ${subject.name}, add a scope covering it to that key's entry; otherwise someone is publishing under another's name: do not install it.`,
    );
  }
  const document = signedDocument({ role: 'publisher', ...subject, key: entry.keyId });
  if (!verifyDocument(document, publisher.signature, entry.publicKey)) {
    throw new SignatureError(
      'BAD_SIGNATURE',
      `the publisher signature on ${pkg} by key ${describeKey(entry)} does not match this package: its tarball, manifest, name or version differ from ` +
        `what the key signed (a tampered package, or the signature of another version). Do not install it; re-fetch it, and report it to the registry if it persists.`,
    );
  }
}

function checkRegistry(subject: SignedSubject, publisherKeyId: string, registry: KeySignature, trust: TrustStore, now: Date): void {
  const pkg = `${subject.name}@${subject.version}`;
  const entry = findRegistryKey(trust, registry.keyId);
  if (!entry) {
    throw new SignatureError(
      'UNTRUSTED_REGISTRY',
      `${pkg} is countersigned by ${registry.keyId}, which is not a registry key in the trust store. If this runner should use that registry, ` +
        `add the registry's public key under "registryKeys"; otherwise the package did not come through your registry: do not install it.`,
    );
  }
  const registryProblem = keyIdMismatch(entry, 'registryKeys');
  if (registryProblem) throw new SignatureError('MALFORMED', registryProblem);
  if (entry.revoked) {
    throw new SignatureError(
      'KEY_REVOKED',
      `${pkg} is countersigned by registry key ${describeKey(entry)}, revoked on ${entry.revoked.at} (${entry.revoked.reason}). ` +
        `Re-sync once the registry has countersigned its packages with its new key (and that key is in "registryKeys").`,
    );
  }
  if (entry.notAfter !== undefined && now.getTime() > Date.parse(entry.notAfter)) {
    throw new SignatureError(
      'UNTRUSTED_REGISTRY',
      `${pkg} is countersigned by registry key ${describeKey(entry)}, trusted only until ${entry.notAfter} (its notAfter). The registry has rotated its key: ` +
        `add its current key under "registryKeys" and re-sync, or move notAfter if the rotation is not finished.`,
    );
  }
  const document = signedDocument({ role: 'registry', ...subject, key: entry.keyId, publisherKey: publisherKeyId });
  if (!verifyDocument(document, registry.signature, entry.publicKey)) {
    throw new SignatureError(
      'BAD_SIGNATURE',
      `the registry signature on ${pkg} by key ${describeKey(entry)} does not match this package and publisher key ${publisherKeyId}: the registry did not accept ` +
        `this version in this form (a tampered package, another version's signature, or a publisher signature offered as the registry's). Do not install it; re-sync.`,
    );
  }
}

/**
 * Name, version and digests, checked and computed once. The manifest must be valid and must
 * name the same package and version: otherwise a key trusted for `@acme/*` could sign a
 * tarball under `@acme/x` whose manifest says `@evil/y`.
 */
function subjectOf(input: PackageVersion): SignedSubject {
  const pkg = `${show(input.name)}@${show(input.version)}`;
  let manifest: PluginManifest;
  try {
    manifest = parseManifest(input.manifest);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    throw new SignatureError('MALFORMED', `the manifest of ${pkg} is invalid, so it cannot match any signature: ${error.problems.join('; ')}`, { cause: error });
  }
  if (manifest.name !== input.name || manifest.version !== input.version) {
    throw new SignatureError('MALFORMED', `the manifest inside ${pkg} describes ${manifest.name}@${manifest.version}; a package must carry its own manifest. Do not install it.`);
  }
  return checkSubject({ name: input.name, version: input.version, integrity: input.integrity, manifest: manifestDigest(manifest) });
}

function wellFormed(subject: SignedSubject, role: 'publisher' | 'registry', signature: KeySignature | undefined): void {
  const pkg = `${subject.name}@${subject.version}`;
  if (typeof signature?.keyId !== 'string' || !KEY_ID.test(signature.keyId)) {
    throw new SignatureError('MALFORMED', `the ${role} key id of ${pkg} is ${show(signature?.keyId)}, not a key id such as ed25519:<22 base64url characters>; the package metadata is damaged: re-fetch it.`);
  }
  if (!isSignatureB64(signature.signature)) {
    throw new SignatureError('MALFORMED', `the ${role} signature of ${pkg} (key ${signature.keyId}) is not a base64 Ed25519 signature (64 bytes); the package metadata is damaged: re-fetch it.`);
  }
}


function show(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? '(missing)' : `(a ${value === null ? 'null' : typeof value})`;
  return /^[\x21-\x7e]{1,120}$/.test(value) ? value : JSON.stringify(value.slice(0, 120));
}
