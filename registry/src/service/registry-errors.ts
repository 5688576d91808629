/**
 * Errors of the registry service that the HTTP routes map to statuses. Signature problems
 * (SignatureError), unsafe or malformed tarballs (UnsafeArchiveError) and corrupted blobs
 * (BlobIntegrityError) pass through with their own `code`s.
 */
export type RegistryErrorCode =
  /** name@version exists with other content; versions are immutable (409). */
  | 'VERSION_EXISTS'
  /** No such package or version (404). */
  | 'NOT_FOUND'
  /** A request argument is out of range or of the wrong form (400). */
  | 'INVALID_INPUT'
  /** The tarball holds another name@version than the one the publish was authorised for (400). */
  | 'PACKAGE_MISMATCH'
  /** The row names a blob the blob store does not have (500: the store lost it). */
  | 'BLOB_MISSING';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.code = code;
  }
}
