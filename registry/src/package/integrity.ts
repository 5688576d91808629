/**
 * Integrity strings in the Subresource Integrity form npm writes in lockfiles and packuments:
 * `sha512-<base64 digest>`. Only sha512 is accepted: sha1 (npm's legacy `shasum`) is broken,
 * and accepting a weaker algorithm beside a strong one would let an attacker pick the weak one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const ALGORITHM = 'sha512';
const DIGEST_BYTES = 64;

export type IntegrityErrorCode = 'UNSUPPORTED_ALGORITHM' | 'MALFORMED_INTEGRITY';

/** An integrity string that cannot be checked at all (as opposed to one that does not match). */
export class IntegrityError extends Error {
  readonly code: IntegrityErrorCode;

  constructor(code: IntegrityErrorCode, message: string) {
    super(message);
    this.name = 'IntegrityError';
    this.code = code;
  }
}

/** The sha512 SRI string of `bytes` (of no bytes at all: `sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==`). */
export function integrityOf(bytes: Uint8Array): string {
  return `${ALGORITHM}-${createHash(ALGORITHM).update(bytes).digest('base64')}`;
}

/** The digest an integrity string names; throws an IntegrityError when it is not a single sha512 SRI hash. */
function parseIntegrity(integrity: string): Buffer {
  const shown = JSON.stringify(integrity.length > 120 ? `${integrity.slice(0, 120)}...` : integrity);
  const trimmed = integrity.trim();
  if (/\s/.test(trimmed)) {
    throw new IntegrityError('MALFORMED_INTEGRITY', `integrity ${shown} lists several hashes; give exactly one sha512 hash`);
  }
  const match = /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})$/.exec(trimmed);
  if (!match) throw new IntegrityError('MALFORMED_INTEGRITY', `integrity ${shown} is not of the form sha512-<base64>`);
  const [, algorithm, base64] = match as unknown as [string, string, string];
  if (algorithm !== ALGORITHM) {
    throw new IntegrityError('UNSUPPORTED_ALGORITHM', `integrity ${shown} uses ${algorithm}; only ${ALGORITHM} is accepted`);
  }
  const digest = Buffer.from(base64, 'base64');
  // Re-encoding catches non-canonical base64 and digests of the wrong length.
  if (digest.length !== DIGEST_BYTES || digest.toString('base64') !== base64) {
    throw new IntegrityError('MALFORMED_INTEGRITY', `integrity ${shown} does not hold a ${DIGEST_BYTES}-byte ${ALGORITHM} digest`);
  }
  return digest;
}

/**
 * Whether `bytes` hash to `integrity`. A mismatch returns false; an integrity string that is not
 * sha512 SRI throws an IntegrityError, so a caller cannot mistake "unverifiable" for "tampered".
 * The compare is constant-time, so timing reveals nothing about how much of a digest matched.
 */
export function checkIntegrity(bytes: Uint8Array, integrity: string): boolean {
  const expected = parseIntegrity(integrity);
  const actual = createHash(ALGORITHM).update(bytes).digest();
  return timingSafeEqual(actual, expected);
}
