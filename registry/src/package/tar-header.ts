/**
 * One 512-byte POSIX ustar header: encoding for the writer, strict decoding for the reader.
 * Only the fields a plugin package needs are produced; every field that is read is validated,
 * because an archive from the network is hostile until proven otherwise.
 */
import { UnsafeArchiveError } from './errors.ts';

export const BLOCK = 512;

/** [offset, length] of each header field (POSIX.1-1988 ustar). */
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;
type Field = keyof typeof F;

const MAGIC = 'ustar\0';
const VERSION = '00';
const REGULAR_FILE_MODE = 0o644;

const field = (block: Uint8Array, name: Field): Buffer => Buffer.from(block.buffer, block.byteOffset + F[name][0], F[name][1]);

export function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** The ustar checksum: the unsigned sum of the header bytes, with the checksum field read as spaces. */
function checksumOf(block: Uint8Array): number {
  let sum = 0;
  const [start, length] = F.chksum;
  for (let i = 0; i < BLOCK; i++) sum += i >= start && i < start + length ? 0x20 : block[i]!;
  return sum;
}

// ---- writer -------------------------------------------------------------------------------

function writeString(block: Buffer, name: Field, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > F[name][1]) throw new Error(`tar: ${name} ${JSON.stringify(value)} is longer than ${F[name][1]} bytes`);
  bytes.copy(block, F[name][0]);
}

/** Zero-padded octal followed by a NUL, the form every tar reader accepts. */
function writeOctal(block: Buffer, name: Field, value: number): void {
  const width = F[name][1] - 1;
  const digits = value.toString(8);
  if (digits.length > width) throw new Error(`tar: ${name} ${value} does not fit in ${width} octal digits`);
  writeString(block, name, digits.padStart(width, '0') + '\0');
}

/**
 * Split a path over the `prefix` and `name` fields: names of up to 100 bytes go in `name`,
 * longer ones are cut at a "/" so that the tail fits in `name` and the head in `prefix`.
 */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= F.name[1]) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= F.prefix[1] && Buffer.byteLength(name) <= F.name[1] && name !== '') return { prefix, name };
  }
  throw new Error(`tar: the path ${JSON.stringify(path)} is too long for a ustar header`);
}

/**
 * The header of a regular file. Everything that could vary between machines or runs is fixed
 * (mtime 0, uid/gid 0, mode 0644, no user or group names), so the same files give the same bytes.
 */
export function encodeFileHeader(path: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, name } = splitPath(path);
  writeString(block, 'name', name);
  writeOctal(block, 'mode', REGULAR_FILE_MODE);
  writeOctal(block, 'uid', 0);
  writeOctal(block, 'gid', 0);
  writeOctal(block, 'size', size);
  writeOctal(block, 'mtime', 0);
  writeString(block, 'typeflag', '0');
  writeString(block, 'magic', MAGIC);
  writeString(block, 'version', VERSION);
  writeOctal(block, 'devmajor', 0);
  writeOctal(block, 'devminor', 0);
  writeString(block, 'prefix', prefix);
  // Six octal digits, NUL, space: the historical layout of the checksum field.
  writeString(block, 'chksum', checksumOf(block).toString(8).padStart(6, '0') + '\0 ');
  return block;
}

// ---- reader -------------------------------------------------------------------------------

export interface DecodedHeader {
  /** prefix + "/" + name, as written (not yet checked as a path). */
  path: string;
  /** The typeflag character ('0' for a regular file). */
  type: string;
  size: number;
  linkname: string;
}

/**
 * A string field: the bytes up to the first NUL, as UTF-8. Bytes after that NUL must be NUL too:
 * otherwise a reader that stops at the NUL and one that does not would see different names.
 */
function readString(block: Uint8Array, name: Field, at: number): string {
  const bytes = field(block, name);
  const end = bytes.indexOf(0);
  const text = end === -1 ? bytes : bytes.subarray(0, end);
  if (end !== -1 && !isZeroBlock(bytes.subarray(end))) {
    const shown = text.toString('latin1');
    throw new UnsafeArchiveError('BAD_PATH', `the ${name} ${JSON.stringify(shown)} of the header at byte ${at} hides more bytes after a NUL`, { entry: shown });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch (error) {
    throw new UnsafeArchiveError('BAD_PATH', `the header at byte ${at} has a ${name} that is not valid UTF-8`, { cause: error });
  }
}

/**
 * A numeric field: octal digits (optionally space-padded in front, as old writers did), ended
 * by NUL or space. Base-256 numbers (GNU's form for huge sizes) are refused: nothing in a plugin
 * package needs them.
 */
function readOctal(block: Uint8Array, name: Field, at: number, entry: string, optional = false): number {
  const raw = field(block, name).toString('latin1');
  if (optional && /^\0*$/.test(raw)) return 0;
  const match = /^ *([0-7]+)[ \0]*$/.exec(raw);
  if (!match) {
    throw new UnsafeArchiveError('MALFORMED', `the header of ${JSON.stringify(entry)} (byte ${at}) has an invalid ${name} field ${JSON.stringify(raw)}; expected octal digits`, { entry });
  }
  return parseInt(match[1]!, 8);
}

/** Decode and validate the header in `block`, which starts at byte `at` of the tar stream. */
export function decodeHeader(block: Uint8Array, at: number): DecodedHeader {
  const magic = field(block, 'magic').toString('latin1');
  const version = field(block, 'version').toString('latin1');
  // GNU's old "ustar  \0" header is refused too: it is how GNU carries its long-name extensions.
  if (magic !== MAGIC || version !== VERSION) {
    throw new UnsafeArchiveError('MALFORMED', `the block at byte ${at} is not a POSIX ustar header (magic ${JSON.stringify(magic + version)}); the archive is corrupt or not a tarball`);
  }
  // The path is read first only to name the entry in errors; it is checked by the caller.
  const name = readString(block, 'name', at);
  const prefix = readString(block, 'prefix', at);
  const path = prefix === '' ? name : `${prefix}/${name}`;
  const stored = readOctal(block, 'chksum', at, path);
  const actual = checksumOf(block);
  if (stored !== actual) {
    throw new UnsafeArchiveError('BAD_CHECKSUM', `the header of ${JSON.stringify(path)} (byte ${at}) has checksum ${stored} but its bytes sum to ${actual}; the archive is corrupt or was tampered with`, { entry: path });
  }
  for (const numeric of ['mode', 'uid', 'gid', 'mtime'] as const) readOctal(block, numeric, at, path);
  readOctal(block, 'devmajor', at, path, true);
  readOctal(block, 'devminor', at, path, true);
  const size = readOctal(block, 'size', at, path);
  const type = String.fromCharCode(block[F.typeflag[0]]!);
  return { path, type, size, linkname: readString(block, 'linkname', at) };
}
