/**
 * Where the registry keeps tarballs: content-addressed by their sha512 integrity, so a blob's
 * name is its checksum. The same bytes are stored once however often they are put, and a blob
 * that no longer hashes to its name is refused on read rather than served.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkIntegrity, integrityOf } from '../package/integrity.ts';

export interface BlobStore {
  /** Store `bytes`; returns their integrity (`sha512-<base64>`), the key to get them back. Idempotent. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes stored under `integrity`, checked against it; undefined when there are none. Throws BlobIntegrityError for a corrupted blob. */
  get(integrity: string): Promise<Buffer | undefined>;
  /** Whether a blob is stored under `integrity` (without reading or checking it). */
  has(integrity: string): Promise<boolean>;
}

/** A stored blob whose bytes no longer match its integrity: disk corruption or tampering. */
export class BlobIntegrityError extends Error {
  readonly code = 'BLOB_CORRUPT';
  readonly integrity: string;
  constructor(integrity: string, where: string) {
    super(`the stored blob ${where} does not match its integrity ${integrity}: it was altered or corrupted on disk, and is not served. Restore it from a backup, or have the version re-published.`);
    this.name = 'BlobIntegrityError';
    this.integrity = integrity;
  }
}

const SRI_SHA512 = /^sha512-([A-Za-z0-9+/]{86}==)$/;

/**
 * The file name for an integrity: the digest in hex (128 characters, only [0-9a-f], so it is safe
 * on every file system and cannot traverse). Throws a TypeError for anything but one sha512 SRI hash.
 */
export function blobFileName(integrity: string): string {
  const match = typeof integrity === 'string' ? SRI_SHA512.exec(integrity) : null;
  const digest = match ? Buffer.from(match[1]!, 'base64') : undefined;
  if (!digest || digest.length !== 64 || digest.toString('base64') !== match![1]) {
    throw new TypeError(`not a sha512 integrity (sha512-<88 base64 characters>): ${JSON.stringify(String(integrity).slice(0, 120))}`);
  }
  return digest.toString('hex');
}

/**
 * Blobs as files in one folder: `<dir>/sha512/<2 hex>/<128 hex>`. A put writes a temporary file in
 * the same folder, syncs it and renames it into place, so a reader never sees half a blob and a
 * crash leaves at most a stray `.tmp` file.
 */
export class DiskBlobStore implements BlobStore {
  readonly #root: string;

  constructor(dir: string) {
    this.#root = path.join(path.resolve(dir), 'sha512');
  }

  #pathOf(integrity: string): string {
    const hex = blobFileName(integrity);
    return path.join(this.#root, hex.slice(0, 2), hex);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const integrity = integrityOf(bytes);
    const target = this.#pathOf(integrity);
    // an intact copy already there: nothing to do (a corrupted one is replaced below)
    const existing = await this.#read(target);
    if (existing && checkIntegrity(existing, integrity)) return integrity;
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return integrity;
  }

  async get(integrity: string): Promise<Buffer | undefined> {
    const file = this.#pathOf(integrity);
    const bytes = await this.#read(file);
    if (bytes === undefined) return undefined;
    if (!checkIntegrity(bytes, integrity)) throw new BlobIntegrityError(integrity, file);
    return bytes;
  }

  async has(integrity: string): Promise<boolean> {
    try {
      return (await stat(this.#pathOf(integrity))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async #read(file: string): Promise<Buffer | undefined> {
    try {
      return await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
