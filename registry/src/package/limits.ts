/**
 * How much an archive may hold. The defaults are generous for a plugin (one bundled entry, a
 * manifest, a README) and small enough that a registry or runner can unpack untrusted uploads
 * in memory without being starved.
 */
export interface UnpackLimits {
  /** Entries in the archive (every header counts, even one that is then refused). */
  maxFiles: number;
  /** Size of one file. */
  maxFileBytes: number;
  /** Sum of all file sizes. */
  maxTotalBytes: number;
  /** Decompressed size / compressed size, above which the archive is treated as a bomb... */
  maxCompressionRatio: number;
  /** ...once it decompresses to more than this: tiny archives of repetitive JSON compress well. */
  compressionRatioFloorBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxFiles: 64,
  maxFileBytes: 8 * MiB,
  maxTotalBytes: 16 * MiB,
  maxCompressionRatio: 100,
  compressionRatioFloorBytes: 1 * MiB,
});

/** The defaults with the caller's overrides; a limit that is not a positive number is a bug. */
export function resolveLimits(overrides: Partial<UnpackLimits> = {}): UnpackLimits {
  const limits = { ...DEFAULT_UNPACK_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof UnpackLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_UNPACK_LIMITS)) throw new TypeError(`unknown unpack limit "${key}"`);
    if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`unpack limit ${key} must be a positive integer, got ${value}`);
    limits[key] = value;
  }
  return limits;
}

/**
 * The largest tar stream that can hold `limits` worth of files: each entry adds a 512-byte
 * header and at most 511 bytes of padding, then the 1 KiB end marker, and writers may pad the
 * whole stream to a 10 KiB record. Decompression stops here, before the entries are read.
 */
export function maxTarBytes(limits: UnpackLimits): number {
  return limits.maxTotalBytes + limits.maxFiles * 1024 + 1024 + 10240;
}
