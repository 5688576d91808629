/**
 * How a runner gets plugin bundles: the local cache first, else the registry; either way the
 * tarball is verified (integrity, safe unpack, both signatures against the operator's trust
 * store) before anything is returned, and a download is cached only after it verified.
 *
 * The cache folder is not trusted: a cached entry is re-verified every time it is loaded. One
 * that fails is removed and downloaded again; when the registry is unreachable too, the fetch
 * fails (a tampered copy is never served).
 *
 * PluginSync has the kernel's BundleSource shape (`fetch(name, version) → { manifest, code }`)
 * without importing the kernel.
 */
import type { PluginManifest } from '@townesdev/plugin-contract';
import type { TrustStore } from '../signing/trust-store.ts';
import { verifyPluginTarball } from '../verified/verified-plugin.ts';
import type { VerifiedPlugin } from '../verified/verified-plugin.ts';
import type { PluginCache } from './plugin-cache.ts';
import type { RegistrySource } from './registry-source.ts';

/** The kernel's PluginBundle, structurally. */
export interface SyncedBundle {
  manifest: PluginManifest;
  code: string;
}

export type PluginSyncErrorCode = 'UNAVAILABLE' | 'CACHE_INVALID_OFFLINE';

export class PluginSyncError extends Error {
  readonly code: PluginSyncErrorCode;
  constructor(code: PluginSyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginSyncError';
    this.code = code;
  }
}

export interface PluginSyncOptions {
  source: RegistrySource;
  cache: PluginCache;
  /** The operator's trust store: which registry and publisher keys are accepted. */
  trust: TrustStore;
  /** The clock for key validity checks (tests). */
  now?: () => Date;
}

export interface PluginRef {
  name: string;
  version: string;
}

export type PrefetchResult =
  | (PluginRef & { ok: true; from: 'cache' | 'registry'; integrity: string })
  | (PluginRef & { ok: false; error: Error });

export const PREFETCH_CONCURRENCY = 8;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class PluginSync {
  readonly #source: RegistrySource;
  readonly #cache: PluginCache;
  readonly #trust: TrustStore;
  readonly #now: (() => Date) | undefined;
  /** In-flight loads per name@version, so concurrent fetches share one download. */
  readonly #inFlight = new Map<string, Promise<{ plugin: VerifiedPlugin; from: 'cache' | 'registry' }>>();

  constructor(options: PluginSyncOptions) {
    this.#source = options.source;
    this.#cache = options.cache;
    this.#trust = options.trust;
    this.#now = options.now;
  }

  /** The verified bundle of name@version (BundleSource.fetch). */
  async fetch(name: string, version: string): Promise<SyncedBundle> {
    const { plugin } = await this.#load(name, version);
    return { manifest: plugin.manifest, code: plugin.code };
  }

  /** The verified plugin with its provenance (integrity, key ids). */
  async fetchVerified(name: string, version: string): Promise<VerifiedPlugin> {
    return (await this.#load(name, version)).plugin;
  }

  /** Warm the cache: load every version (at most `concurrency` at a time); never throws, reports per item. */
  async prefetch(refs: readonly PluginRef[], options: { concurrency?: number } = {}): Promise<PrefetchResult[]> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? PREFETCH_CONCURRENCY));
    const results: PrefetchResult[] = new Array<PrefetchResult>(refs.length);
    let next = 0;
    const worker = async () => {
      while (next < refs.length) {
        const i = next++;
        const { name, version } = refs[i]!;
        try {
          const { plugin, from } = await this.#load(name, version);
          results[i] = { name, version, ok: true, from, integrity: plugin.integrity };
        } catch (error) {
          results[i] = { name, version, ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
    return results;
  }

  #load(name: string, version: string): Promise<{ plugin: VerifiedPlugin; from: 'cache' | 'registry' }> {
    const key = `${name}@${version}`;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const load = this.#loadUncached(name, version).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, load);
    return load;
  }

  #verify(entry: Parameters<typeof verifyPluginTarball>[0]): VerifiedPlugin {
    return verifyPluginTarball(entry, this.#trust, this.#now ? { now: this.#now() } : {});
  }

  async #loadUncached(name: string, version: string): Promise<{ plugin: VerifiedPlugin; from: 'cache' | 'registry' }> {
    // The cache (throws PluginCacheError for a name or version that cannot be a plugin).
    const cached = await this.#cache.get(name, version);
    let cacheFailure: unknown;
    if (cached) {
      try {
        return { plugin: this.#verify(cached), from: 'cache' };
      } catch (error) {
        cacheFailure = error;
        await this.#cache.delete(name, version);
      }
    }

    // The registry.
    let downloaded;
    try {
      downloaded = await this.#source.download(name, version);
    } catch (error) {
      if (cacheFailure) {
        throw new PluginSyncError(
          'CACHE_INVALID_OFFLINE',
          `${name}@${version}: the cached copy failed verification (${messageOf(cacheFailure)}) and was removed, and the registry is unreachable (${messageOf(error)}); it is not loaded`,
          { cause: error },
        );
      }
      throw new PluginSyncError('UNAVAILABLE', `${name}@${version}: the registry is unreachable (${messageOf(error)}) and nothing is cached for it`, { cause: error });
    }
    if (downloaded?.name !== name || downloaded.version !== version) {
      throw new PluginSyncError('UNAVAILABLE', `${name}@${version}: the registry answered with ${String(downloaded?.name)}@${String(downloaded?.version)}`);
    }
    const plugin = this.#verify(downloaded); // throws: nothing is cached
    await this.#cache.put(downloaded);
    return { plugin, from: 'registry' };
  }
}
