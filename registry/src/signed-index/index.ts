/**
 * The registry's signed index and the runner's rollback/freeze protection. SIGNING.md, "The
 * registry index", describes the signed bytes and the rules.
 */
export {
  INDEX_FORMAT,
  INDEX_SIGNATURE_HEADER,
  IndexError,
  IndexedPackageSchema,
  IndexedVersionSchema,
  RegistryIndexSchema,
  indexSignedBytes,
  parseRegistryIndex,
  signIndex,
  verifyIndex,
} from './registry-index.ts';
export type { IndexErrorCode, IndexedVersion, RegistryIndex, SignedIndex, VerifyIndexOptions } from './registry-index.ts';
export { INDEX_STATE_FILE, IndexGuard, NEAR_EXPIRY_FRACTION } from './index-guard.ts';
export type { AcceptOptions, AcceptedIndex, IndexGuardOptions, IndexGuardState } from './index-guard.ts';
