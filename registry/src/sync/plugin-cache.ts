/**
 * The runner's local plugin cache: per name@version, the tarball bytes and a JSON sidecar with
 * the integrity and both signatures, so a runner starts and runs when the registry is down.
 *
 * The folder is not trusted. `get` only checks that an entry is well formed and that the bytes
 * match the sidecar's integrity (a corrupted entry is removed and reported as missing); the
 * signatures are checked by the caller (PluginSync) every time an entry is loaded.
 *
 * Writes are atomic (a temp file, then rename): the tarball first, then the sidecar, so a
 * sidecar only ever names bytes that were completely written. File names are derived from the
 * name and version after they are checked against a strict pattern; anything else is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkIntegrity } from '../package/integrity.ts';
import type { KeySignature } from '../signing/verify-package.ts';
import type { SignedTarball } from '../verified/verified-plugin.ts';

const SIDECAR_FORMAT = 'townes-plugin-cache-v1';
/** npm-style names: lowercase, an optional scope. */
const NAME = /^(?:@[a-z0-9][a-z0-9._-]{0,213}\/)?[a-z0-9][a-z0-9._-]{0,213}$/;
/** Semver-shaped versions: alphanumerics, dots, dashes and plus signs, starting with a digit. */
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,127}$/;

export class PluginCacheError extends Error {
  readonly code = 'INVALID_KEY';
  constructor(message: string) {
    super(message);
    this.name = 'PluginCacheError';
  }
}

interface Sidecar {
  format: typeof SIDECAR_FORMAT;
  name: string;
  version: string;
  integrity: string;
  publisher: KeySignature;
  registry: KeySignature;
}

/** The file-name stem of name@version; throws PluginCacheError for a name or version that is not plain. */
export function cacheEntryStem(name: string, version: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) throw new PluginCacheError(`refusing to cache a plugin named ${JSON.stringify(name)}`);
  if (typeof version !== 'string' || !VERSION.test(version) || version.includes('..')) throw new PluginCacheError(`refusing to cache ${name} at version ${JSON.stringify(version)}`);
  // encodeURIComponent turns '@' and '/' (and '+') into %XX: unique, one path segment.
  return `${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
}

const isSignature = (value: unknown): value is KeySignature =>
  typeof value === 'object' && value !== null && typeof (value as KeySignature).keyId === 'string' && typeof (value as KeySignature).signature === 'string';

function parseSidecar(text: string, name: string, version: string): Sidecar | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const s = raw as Partial<Sidecar>;
  if (s.format !== SIDECAR_FORMAT || s.name !== name || s.version !== version || typeof s.integrity !== 'string') return undefined;
  if (!isSignature(s.publisher) || !isSignature(s.registry)) return undefined;
  return {
    format: SIDECAR_FORMAT,
    name,
    version,
    integrity: s.integrity,
    publisher: { keyId: s.publisher.keyId, signature: s.publisher.signature },
    registry: { keyId: s.registry.keyId, signature: s.registry.signature },
  };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class PluginCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  #paths(name: string, version: string): { tarball: string; sidecar: string; stem: string } {
    const stem = cacheEntryStem(name, version);
    return { stem, tarball: path.join(this.dir, `${stem}.tgz`), sidecar: path.join(this.dir, `${stem}.json`) };
  }

  /**
   * The cached entry, or undefined when there is none or it is corrupted (unreadable sidecar,
   * bytes that do not match the integrity). A corrupted entry is removed. The signatures are NOT
   * checked here: verify the result before using it.
   */
  async get(name: string, version: string): Promise<SignedTarball | undefined> {
    const paths = this.#paths(name, version);
    let sidecarText: string;
    try {
      sidecarText = await readFile(paths.sidecar, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const sidecar = parseSidecar(sidecarText, name, version);
    if (!sidecar) {
      await this.delete(name, version);
      return undefined;
    }
    let tarball: Buffer;
    try {
      tarball = await readFile(paths.tarball);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await this.delete(name, version);
      return undefined;
    }
    let intact: boolean;
    try {
      intact = checkIntegrity(tarball, sidecar.integrity);
    } catch {
      intact = false; // a malformed or unsupported integrity string
    }
    if (!intact) {
      await this.delete(name, version);
      return undefined;
    }
    return { name, version, integrity: sidecar.integrity, tarball, publisher: sidecar.publisher, registry: sidecar.registry };
  }

  /** Store an entry (replacing any). Callers store only what they verified. */
  async put(entry: SignedTarball): Promise<void> {
    const paths = this.#paths(entry.name, entry.version);
    const sidecar: Sidecar = {
      format: SIDECAR_FORMAT,
      name: entry.name,
      version: entry.version,
      integrity: entry.integrity,
      publisher: { keyId: entry.publisher.keyId, signature: entry.publisher.signature },
      registry: { keyId: entry.registry.keyId, signature: entry.registry.signature },
    };
    await mkdir(this.dir, { recursive: true });
    // Remove the old sidecar first: between the two renames, no sidecar names the wrong bytes.
    await rm(paths.sidecar, { force: true });
    await this.#writeAtomic(paths.tarball, entry.tarball);
    await this.#writeAtomic(paths.sidecar, `${JSON.stringify(sidecar, null, 2)}\n`);
  }

  /** Remove an entry (no error when there is none). */
  async delete(name: string, version: string): Promise<void> {
    const paths = this.#paths(name, version);
    await rm(paths.sidecar, { force: true });
    await rm(paths.tarball, { force: true });
  }

  async #writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
    const temp = path.join(this.dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, data, { flag: 'wx' });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
