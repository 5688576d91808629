/**
 * The plugin supply chain: packages (tarballs, integrity, safe unpacking), signatures and the
 * operator's trust store, version resolution, and the one check a runner makes before a plugin
 * version reaches a sandbox (verifyPluginTarball).
 */
export * from './package/index.ts';
export * from './signing/index.ts';
export { ResolveError, resolveVersion } from './versions/resolve-version.ts';
export type { PublishedVersion, Resolution, ResolveErrorCode } from './versions/resolve-version.ts';
export { TarballIntegrityError, verifyPluginTarball } from './verified/verified-plugin.ts';
export type { SignedTarball, VerifiedPlugin } from './verified/verified-plugin.ts';
export * from './signed-index/index.ts';
export * from './sync/index.ts';
export * from './client/index.ts';
