/** Plugin packages: npm-style tarballs, their integrity, and safe unpacking. */
export { packPlugin } from './pack.ts';
export type { PackedPlugin } from './pack.ts';
export { unpackPlugin } from './unpack.ts';
export type { UnpackedPlugin } from './unpack.ts';
export { checkIntegrity, integrityOf, IntegrityError } from './integrity.ts';
export type { IntegrityErrorCode } from './integrity.ts';
export { UnsafeArchiveError } from './errors.ts';
export type { UnsafeArchiveCode } from './errors.ts';
export { DEFAULT_UNPACK_LIMITS, maxTarBytes, resolveLimits } from './limits.ts';
export type { UnpackLimits } from './limits.ts';
