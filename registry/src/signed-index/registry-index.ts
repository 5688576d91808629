/**
 * The registry's signed index: the list of every package version the registry serves (with its
 * integrity, yanked flag and publisher key), signed by a registry key, numbered and dated so a
 * runner can refuse an old index replayed at it (rollback) and an index that stopped being
 * refreshed (freeze). SIGNING.md, "The registry index", describes it for operators.
 *
 * The signed bytes are the ASCII header line `townes-registry-index-v1` and a `\n`, followed by
 * the canonical JSON (canonical-json.ts) of the index, encoded as UTF-8. The header keeps an
 * index signature and a package signature apart: a package document starts with
 * `townes-plugin-signature-v1\n`, an index with `townes-registry-index-v1\n{`, so no byte string
 * is both, even when one registry key signs both kinds.
 *
 * verifyIndex checks one index on its own (shape, trust, signature, expiry); the runner's memory
 * of what it has already accepted (rollback) is IndexGuard's job (index-guard.ts).
 */
import { PluginName, SemverVersion } from '@townesdev/plugin-contract';
import { z } from 'zod';
import { canonicalJson } from '../signing/canonical-json.ts';
import { KEY_ID, isSignatureB64, keyIdOfPrivateKey, signDocument, verifyDocument } from '../signing/keys.ts';
import { SHA512_DIGEST } from '../signing/manifest-digest.ts';
import { describeKey, findRegistryKey, keyIdMismatch } from '../signing/trust-store.ts';
import type { TrustStore } from '../signing/trust-store.ts';

export const INDEX_FORMAT = 'townes-registry-index-v1';
/** What comes before the canonical JSON in the signed bytes. */
export const INDEX_SIGNATURE_HEADER = `${INDEX_FORMAT}\n`;

export type IndexErrorCode =
  /** The signed index, its key id, signature or content is not of the expected form. */
  | 'MALFORMED'
  /** The signing key is not a registry key of the trust store, or is past its `notAfter`. */
  | 'UNTRUSTED_REGISTRY'
  /** The signing key is marked revoked in the trust store. */
  | 'KEY_REVOKED'
  /** The signature does not match the index (tampered, or a signature over something else). */
  | 'BAD_SIGNATURE'
  /** The index expired longer ago than the grace period (freeze). */
  | 'EXPIRED'
  /** The index is older than one already accepted, or conflicts with it (same serial, other content). */
  | 'ROLLBACK'
  /** The runner's record of the newest accepted index cannot be read; protection cannot be checked. */
  | 'STATE_CORRUPT';

/** The one error type of the signed index. Branch on `code`; the message is for the operator. */
export class IndexError extends Error {
  readonly code: IndexErrorCode;
  constructor(code: IndexErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IndexError';
    this.code = code;
  }
}

const Timestamp = z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time such as 2026-11-02T10:00:00Z' });

export const IndexedVersionSchema = z.strictObject({
  /** The tarball's integrity, `sha512-<base64>`. */
  integrity: z.string().regex(SHA512_DIGEST, 'sha512-<base64> (88 characters ending in ==)'),
  yanked: z.boolean(),
  /** The publisher key the registry accepted for this version. */
  publisherKeyId: z.string().regex(KEY_ID, 'a key id such as ed25519:<22 base64url characters>'),
});

export const IndexedPackageSchema = z.strictObject({
  versions: z.record(SemverVersion, IndexedVersionSchema),
});

/**
 * The index document. Strict objects, no defaults, no transforms: what parses is exactly what
 * was signed, so the canonical JSON of the parsed index is the canonical JSON of the input.
 */
export const RegistryIndexSchema = z
  .strictObject({
    format: z.literal(INDEX_FORMAT),
    /** Strictly increasing per registry: each new index gets a higher serial. */
    serial: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    issuedAt: Timestamp,
    /** After this moment (plus the runner's grace period) the index is refused. */
    expiresAt: Timestamp,
    packages: z.record(PluginName, IndexedPackageSchema),
  })
  .refine((index) => Date.parse(index.expiresAt) > Date.parse(index.issuedAt), { path: ['expiresAt'], message: 'must be later than issuedAt' });

export type RegistryIndex = z.infer<typeof RegistryIndexSchema>;
export type IndexedVersion = z.infer<typeof IndexedVersionSchema>;

/** An index as it travels: the document, the registry key that signed it, and the signature. */
export interface SignedIndex {
  index: RegistryIndex;
  keyId: string;
  /** base64 Ed25519 signature over `indexSignedBytes(index)`. */
  signature: string;
}

export interface VerifyIndexOptions {
  /** How long after `expiresAt` the index is still accepted (with a warning from IndexGuard). Default 0. */
  graceMs?: number;
}

/** Validate an index document; throws IndexError('MALFORMED') listing every problem. */
export function parseRegistryIndex(input: unknown): RegistryIndex {
  const result = RegistryIndexSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(index)'}: ${i.message}`);
  throw new IndexError('MALFORMED', `the registry index is malformed, so no signature can vouch for it:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** The exact bytes a registry key signs for an index: the header line, then canonical JSON. */
export function indexSignedBytes(index: RegistryIndex): Buffer {
  return Buffer.from(INDEX_SIGNATURE_HEADER + canonicalJson(index), 'utf8');
}

/** Sign an index with the registry's private key. Throws IndexError('MALFORMED') for an invalid index. */
export function signIndex(index: RegistryIndex, registryPrivateKeyPem: string): SignedIndex {
  const parsed = parseRegistryIndex(index);
  const keyId = keyIdOfPrivateKey(registryPrivateKeyPem);
  return { index: parsed, keyId, signature: signDocument(indexSignedBytes(parsed), registryPrivateKeyPem) };
}

/**
 * The runner's check of one signed index: its form, the registry key against the trust store,
 * the signature, and its expiry at `now` (refused when it expired more than `graceMs` ago).
 * Returns the parsed index; throws IndexError. It does not know what was accepted before: use
 * IndexGuard for rollback protection.
 */
export function verifyIndex(signed: SignedIndex, trust: TrustStore, now: Date, options: VerifyIndexOptions = {}): RegistryIndex {
  const graceMs = options.graceMs ?? 0;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new TypeError(`graceMs must be a non-negative number of milliseconds, got ${String(graceMs)}`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  const { keyId, signature } = (signed ?? {}) as Partial<SignedIndex>;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) {
    throw new IndexError('MALFORMED', `the registry index names signing key ${show(keyId)}, not a key id such as ed25519:<22 base64url characters>; the download is damaged: re-fetch the index.`);
  }
  if (!isSignatureB64(signature)) {
    throw new IndexError('MALFORMED', `the registry index signature (key ${keyId}) is not a base64 Ed25519 signature (64 bytes); the download is damaged: re-fetch the index.`);
  }
  const index = parseRegistryIndex(signed.index);
  const label = `registry index serial ${index.serial}`;

  const entry = findRegistryKey(trust, keyId);
  if (!entry) {
    throw new IndexError(
      'UNTRUSTED_REGISTRY',
      `the ${label} is signed by ${keyId}, which is not a registry key in the trust store. If this runner should use that registry, ` +
        `add its public key under "registryKeys" (after checking its id); otherwise the index did not come from your registry: do not use it.`,
    );
  }
  const mismatch = keyIdMismatch(entry, 'registryKeys');
  if (mismatch) throw new IndexError('MALFORMED', mismatch);
  if (entry.revoked) {
    throw new IndexError(
      'KEY_REVOKED',
      `the ${label} is signed by registry key ${describeKey(entry)}, revoked on ${entry.revoked.at} (${entry.revoked.reason}). ` +
        `Re-sync once the registry signs its index with its new key (and that key is in "registryKeys").`,
    );
  }
  if (entry.notAfter !== undefined && now.getTime() > Date.parse(entry.notAfter)) {
    throw new IndexError(
      'UNTRUSTED_REGISTRY',
      `the ${label} is signed by registry key ${describeKey(entry)}, trusted only until ${entry.notAfter} (its notAfter). The registry has rotated its key: ` +
        `add its current key under "registryKeys" and re-sync, or move notAfter if the rotation is not finished.`,
    );
  }
  if (!verifyDocument(indexSignedBytes(index), signature, entry.publicKey)) {
    throw new IndexError(
      'BAD_SIGNATURE',
      `the signature on the ${label} by registry key ${describeKey(entry)} does not match its content: the index was altered after signing, or the signature ` +
        `belongs to something else (another index, or a package). Do not use it; re-fetch the index, and report it to the registry if it persists.`,
    );
  }
  const expiresAt = Date.parse(index.expiresAt);
  if (now.getTime() > expiresAt + graceMs) {
    const graceNote = graceMs > 0 ? `, and the grace period of ${formatDuration(graceMs)} ended at ${new Date(expiresAt + graceMs).toISOString()}` : '';
    throw new IndexError(
      'EXPIRED',
      `the ${label} expired at ${index.expiresAt}${graceNote}. An index that is not refreshed may hide newer versions and yanks from this runner (a freeze), ` +
        `so it is refused. Check that the runner can reach the registry and that the registry is publishing fresh indexes.`,
    );
  }
  return index;
}


function show(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? '(missing)' : `(a ${value === null ? 'null' : typeof value})`;
  return /^[\x21-\x7e]{1,120}$/.test(value) ? value : JSON.stringify(value.slice(0, 120));
}

/** `3d 4h`, `2h 5m`, `45s`: a grace period or a remaining time, for messages. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m && !d ? `${m}m` : '', !d && !h && !m ? `${s % 60}s` : ''].filter(Boolean);
  return parts.join(' ');
}
