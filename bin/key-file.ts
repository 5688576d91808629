/**
 * A private signing key kept in a file of the installation's data folder (the registry's
 * countersigning key, the built-in plugins' publisher key): generated once, written with mode
 * 0600 and exclusive creation (two processes starting together cannot both write one), and
 * refused when others may read it, as ssh does, because anyone who reads it can sign as us.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { generateSigningKey, keyIdOfPrivateKey, type SigningKey } from '@townesdev/registry';

export class KeyFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyFileError';
  }
}

/** The key in `path`, creating it (and its folder, 0700) when there is none. */
export async function ensureKeyFile(path: string): Promise<{ key: SigningKey; created: boolean }> {
  const existing = await readKeyFile(path);
  if (existing) return { key: existing, created: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = generateSigningKey();
  try {
    await writeFile(path, key.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // another process created it first: use theirs
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = await readKeyFile(path);
      if (theirs) return { key: theirs, created: false };
    }
    throw error;
  }
  await chmod(path, 0o600); // the umask may have narrowed, never widened, the mode; make it exact
  return { key, created: true };
}

async function readKeyFile(path: string): Promise<SigningKey | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((info.mode & 0o077) !== 0) {
    throw new KeyFileError(`${path} may be read by other users (mode ${(info.mode & 0o777).toString(8)}); anyone who reads it can sign as this installation. Run: chmod 600 ${path}`);
  }
  const privateKeyPem = await readFile(path, 'utf8');
  try {
    const keyId = keyIdOfPrivateKey(privateKeyPem);
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    return { keyId, privateKeyPem, publicKeyPem };
  } catch (error) {
    throw new KeyFileError(`${path} is not an Ed25519 private key in PEM form; restore it from a backup (a new key means every runner must trust the new one)`, { cause: error });
  }
}
