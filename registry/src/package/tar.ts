/**
 * A minimal, strict ustar (POSIX tar) writer and reader for plugin packages, gzip'd like npm's
 * tarballs. No dependency: the whole attack surface of unpacking is this file and tar-header.ts.
 *
 * The writer makes regular files only, deterministically. The reader accepts exactly that shape
 * and refuses everything else with an UnsafeArchiveError: links, devices, extension headers,
 * unsafe or duplicate paths, too many or too large files, compression bombs, corrupt input.
 * It works in memory and never touches the filesystem.
 */
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { checkArchivePath } from './archive-path.ts';
import { UnsafeArchiveError } from './errors.ts';
import { maxTarBytes, resolveLimits } from './limits.ts';
import type { UnpackLimits } from './limits.ts';
import { BLOCK, decodeHeader, encodeFileHeader, isZeroBlock } from './tar-header.ts';

export interface TarEntry {
  /** The full path in the archive, `package/...`. */
  path: string;
  data: Buffer;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

// ---- writer -------------------------------------------------------------------------------

/** A ustar stream of regular files, sorted by path, ended by the two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const chunks: Buffer[] = [];
  let previous: string | undefined;
  for (const { path, data } of sorted) {
    // Never write what the reader would refuse.
    checkArchivePath(path);
    if (path === previous) throw new Error(`tar: ${JSON.stringify(path)} is listed twice`);
    previous = path;
    chunks.push(encodeFileHeader(path, data.length), data, Buffer.alloc(padding(data.length)));
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(chunks);
}

/** Byte 9 of a gzip header names the OS that wrote it; fixed so that builds on any OS agree. */
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNIX = 3;

/**
 * gzip with fixed settings. zlib already writes mtime 0 and no file name, so equal tar bytes
 * give equal tarballs for a given zlib version.
 */
export function gzipTar(tar: Buffer): Buffer {
  const gz = gzipSync(tar, { level: zlibConstants.Z_BEST_COMPRESSION });
  gz[GZIP_OS_BYTE] = GZIP_OS_UNIX;
  return gz;
}

export function packTarGz(entries: readonly TarEntry[]): Buffer {
  return gzipTar(writeTar(entries));
}

// ---- reader -------------------------------------------------------------------------------

/**
 * Decompress with a hard cap on the output, so a bomb costs at most the cap in memory and time:
 * zlib stops as soon as the output would pass it. The cap is the smaller of the largest tar the
 * limits allow and `maxCompressionRatio` times the input (once past the floor): plugin code
 * compresses 3-10:1, while a bomb's whole point is a ratio in the hundreds or thousands.
 */
export function gunzipBounded(gz: Uint8Array, limits: UnpackLimits): Buffer {
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new UnsafeArchiveError('MALFORMED', `the package is not a gzip stream (${gz.length} bytes, starting ${Buffer.from(gz.subarray(0, 4)).toString('hex') || 'with nothing'})`);
  }
  const sizeCap = maxTarBytes(limits);
  const ratioCap = Math.max(limits.compressionRatioFloorBytes, gz.length * limits.maxCompressionRatio);
  const cap = Math.min(sizeCap, ratioCap);
  try {
    const out = gunzipSync(gz, { maxOutputLength: cap, chunkSize: outputChunkSize(gz, cap) });
    // A false ISIZE (bytes after the gzip member can claim anything) leaves a small output in a
    // large chunk, which the entries, as views, would keep alive: then keep a copy of its size.
    return out.buffer.byteLength > 2 * out.length + MIN_CHUNK ? Buffer.from(out) : out;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      const why =
        cap === sizeCap
          ? `it decompresses to more than ${cap} bytes, more than ${limits.maxTotalBytes} bytes of files can take`
          : `it expands more than ${limits.maxCompressionRatio}:1 (${gz.length} bytes decompress past ${cap})`;
      throw new UnsafeArchiveError('COMPRESSION_BOMB', `the package looks like a compression bomb: ${why}; decompression was stopped`, { cause: error });
    }
    throw new UnsafeArchiveError('MALFORMED', `the package is not a valid gzip stream (${(error as Error).message}); it may be truncated`, { cause: error });
  }
}

/** zlib's smallest output chunk is 64 bytes; below 64 KiB a plugin would take many chunks. */
const MIN_CHUNK = 64 * 1024;

/**
 * The output chunk for gunzipSync. The gzip trailer's last 4 bytes (ISIZE) state the
 * decompressed size mod 2^32: one chunk one byte larger holds the whole output, so zlib neither
 * reallocates nor concatenates chunks (for a 1 MB plugin that copy was a tenth of the unpack).
 * ISIZE is the sender's claim, so it only sizes the buffer: a false one costs extra chunks or
 * spare bytes, never correctness, and the chunk never exceeds the cap that bounds the output.
 */
function outputChunkSize(gz: Uint8Array, cap: number): number {
  const claimed = Buffer.from(gz.buffer, gz.byteOffset, gz.length).readUInt32LE(gz.length - 4);
  return Math.min(Math.max(claimed + 1, MIN_CHUNK), cap + 1);
}

/** Why an entry of this typeflag is refused; only '0' (and the pre-POSIX '\0') is a regular file. */
function refuseType(type: string, path: string, linkname: string): never {
  const quoted = JSON.stringify(path);
  const target = JSON.stringify(linkname);
  switch (type) {
    case '2':
      throw new UnsafeArchiveError('SYMLINK', `entry ${quoted} is a symbolic link (to ${target}); packages hold regular files only`, { entry: path });
    case '1':
      throw new UnsafeArchiveError('HARD_LINK', `entry ${quoted} is a hard link (to ${target}); packages hold regular files only`, { entry: path });
    case '3':
    case '4':
    case '6':
      throw new UnsafeArchiveError('SPECIAL_FILE', `entry ${quoted} is a ${type === '6' ? 'FIFO' : type === '3' ? 'character device' : 'block device'}; packages hold regular files only`, { entry: path });
    case 'x':
    case 'g':
    case 'L':
    case 'K':
      // pax and GNU extension headers rewrite the next entry's path, link or size; honouring
      // them safely is more code than a plugin package needs, so they are refused.
      throw new UnsafeArchiveError('EXTENDED_HEADER', `entry ${quoted} is a ${type === 'x' || type === 'g' ? 'pax' : 'GNU long-name'} extension header (type '${type}'), which is not supported`, { entry: path });
    default:
      throw new UnsafeArchiveError('UNSUPPORTED_ENTRY', `entry ${quoted} has type ${JSON.stringify(type)} (${type === '5' ? 'a directory' : 'not a regular file'}); packages hold regular files only`, { entry: path });
  }
}

/**
 * Parse an uncompressed ustar stream into its files, applying every check. Returns the entries
 * in archive order with their full `package/...` paths.
 */
export function readTar(tar: Uint8Array, overrides?: Partial<UnpackLimits>): TarEntry[] {
  const limits = resolveLimits(overrides);
  if (tar.length % BLOCK !== 0) {
    throw new UnsafeArchiveError('MALFORMED', `the tar stream is ${tar.length} bytes, not a whole number of 512-byte blocks; it is truncated or corrupt`);
  }
  const bytes = Buffer.from(tar.buffer, tar.byteOffset, tar.length);
  const entries: TarEntry[] = [];
  // Keys fold case and Unicode normalisation: `A.js` and `a.js` would collide on macOS/Windows.
  const seen = new Map<string, string>();
  let total = 0;
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > bytes.length) {
      throw new UnsafeArchiveError('MALFORMED', `the tar stream ends at byte ${bytes.length} without its end marker; it is truncated`);
    }
    const block = bytes.subarray(offset, offset + BLOCK);
    if (isZeroBlock(block)) {
      // The end marker is two zero blocks; whatever follows may only be zero padding, so no
      // other reader can find entries we did not check.
      const second = bytes.subarray(offset + BLOCK, offset + 2 * BLOCK);
      if (second.length < BLOCK) throw new UnsafeArchiveError('MALFORMED', 'the tar stream ends after one zero block; it is truncated');
      if (!isZeroBlock(bytes.subarray(offset + BLOCK))) {
        throw new UnsafeArchiveError('MALFORMED', `the tar stream has data after its end marker at byte ${offset}`);
      }
      return entries;
    }
    const header = decodeHeader(block, offset);
    if (entries.length + 1 > limits.maxFiles) {
      throw new UnsafeArchiveError('TOO_MANY_FILES', `the package has more than ${limits.maxFiles} entries (refused at ${JSON.stringify(header.path)})`, { entry: header.path });
    }
    if (header.type !== '0' && header.type !== '\0') refuseType(header.type, header.path, header.linkname);
    checkArchivePath(header.path);
    if (header.size > limits.maxFileBytes) {
      throw new UnsafeArchiveError('FILE_TOO_LARGE', `entry ${JSON.stringify(header.path)} is ${header.size} bytes, over the ${limits.maxFileBytes}-byte limit for one file`, { entry: header.path });
    }
    total += header.size;
    if (total > limits.maxTotalBytes) {
      throw new UnsafeArchiveError('TOTAL_TOO_LARGE', `the files add up to more than ${limits.maxTotalBytes} bytes (at ${JSON.stringify(header.path)})`, { entry: header.path });
    }
    const key = header.path.normalize('NFC').toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new UnsafeArchiveError('DUPLICATE_ENTRY', `entry ${JSON.stringify(header.path)} appears twice${earlier === header.path ? '' : ` (as ${JSON.stringify(earlier)}, differing only in case or Unicode form)`}; which copy wins would depend on the reader`, { entry: header.path });
    }
    seen.set(key, header.path);
    const start = offset + BLOCK;
    const end = start + header.size;
    if (end + padding(header.size) > bytes.length) {
      throw new UnsafeArchiveError('MALFORMED', `entry ${JSON.stringify(header.path)} declares ${header.size} bytes but the tar stream ends first; it is truncated`, { entry: header.path });
    }
    // A view, not a copy: copying a 1 MB bundle cost more than reading every header. A view
    // pins the decompressed stream while the entry is held, but that stream is bounded by the
    // same limits (maxTarBytes, the compression ratio), and the callers keep the parsed
    // manifest and the decoded code, not the entries.
    entries.push({ path: header.path, data: bytes.subarray(start, end) });
    offset = end + padding(header.size);
  }
}

/** Decompress (bounded) and read a `.tgz`. */
export function readTarGz(tgz: Uint8Array, overrides?: Partial<UnpackLimits>): TarEntry[] {
  const limits = resolveLimits(overrides);
  return readTar(gunzipBounded(tgz, limits), limits);
}
