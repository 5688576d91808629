import type { PluginManifest } from '@townesdev/plugin-contract';
import { checkIntegrity } from '../package/integrity.ts';
import type { UnpackLimits } from '../package/limits.ts';
import { unpackPlugin } from '../package/unpack.ts';
import type { KeySignature } from '../signing/verify-package.ts';
import { verifyPackageSignatures } from '../signing/verify-package.ts';
import type { TrustStore } from '../signing/trust-store.ts';

/** What a registry serves for one version: the tarball and what vouches for it. */
export interface SignedTarball {
  name: string;
  version: string;
  integrity: string;
  tarball: Uint8Array;
  publisher: KeySignature;
  registry: KeySignature;
}

export class TarballIntegrityError extends Error {
  readonly code = 'INTEGRITY';
  constructor(name: string, version: string) {
    super(`${name}@${version}: the tarball does not match its integrity; it was altered or corrupted on the way, and is not loaded`);
    this.name = 'TarballIntegrityError';
  }
}

/** A plugin version that passed every check: ready for the kernel (a PluginBundle plus provenance). */
export interface VerifiedPlugin {
  manifest: PluginManifest;
  code: string;
  integrity: string;
  publisherKeyId: string;
  registryKeyId: string;
}

/**
 * Everything a runner checks before a plugin version may reach a sandbox, in order: the tarball's
 * bytes against its integrity, a safe unpack in memory, the manifest inside against the version
 * asked for, and both signatures against the operator's trust store. Any failure throws, and
 * nothing of the tarball is returned.
 */
export function verifyPluginTarball(input: SignedTarball, trust: TrustStore, options: { limits?: Partial<UnpackLimits>; now?: Date } = {}): VerifiedPlugin {
  if (!checkIntegrity(input.tarball, input.integrity)) throw new TarballIntegrityError(input.name, input.version);
  const unpacked = unpackPlugin(input.tarball, options.limits);
  const { publisherKeyId, registryKeyId } = verifyPackageSignatures({
    name: input.name,
    version: input.version,
    integrity: input.integrity,
    manifest: unpacked.manifest,
    publisher: input.publisher,
    registry: input.registry,
    trust,
    ...(options.now ? { now: options.now } : {}),
  });
  return { manifest: unpacked.manifest, code: unpacked.code, integrity: input.integrity, publisherKeyId, registryKeyId };
}
