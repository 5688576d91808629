/**
 * Why a package was refused. Each code names one kind of attack or defect, so the registry's
 * routes and the runner's sync can report it (and tests can assert it) without parsing text.
 */
export type UnsafeArchiveCode =
  // The bytes are not a well-formed gzip'd ustar archive.
  | 'MALFORMED'
  | 'BAD_CHECKSUM'
  // Decompression would exceed the size cap or the allowed compression ratio.
  | 'COMPRESSION_BOMB'
  // Entry paths.
  | 'PATH_TRAVERSAL'
  | 'ABSOLUTE_PATH'
  | 'BAD_PATH'
  | 'OUTSIDE_PACKAGE'
  | 'DUPLICATE_ENTRY'
  // Entry types other than a regular file.
  | 'SYMLINK'
  | 'HARD_LINK'
  | 'SPECIAL_FILE'
  | 'EXTENDED_HEADER'
  | 'UNSUPPORTED_ENTRY'
  // Size and count limits.
  | 'TOO_MANY_FILES'
  | 'FILE_TOO_LARGE'
  | 'TOTAL_TOO_LARGE'
  // The archive is safe but is not a valid plugin package.
  | 'MISSING_FILE'
  | 'INVALID_PACKAGE_JSON'
  | 'INVALID_MANIFEST'
  | 'MANIFEST_MISMATCH';

/** A package that was refused; nothing from it is returned, written or loaded. */
export class UnsafeArchiveError extends Error {
  readonly code: UnsafeArchiveCode;
  /** The archive entry at fault, when there is one (as written in the archive). */
  readonly entry: string | undefined;

  constructor(code: UnsafeArchiveCode, message: string, options?: { entry?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnsafeArchiveError';
    this.code = code;
    this.entry = options?.entry;
  }
}
