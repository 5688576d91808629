import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IndexGuard } from '../signed-index/index-guard.ts';
import type { SignedIndex } from '../signed-index/registry-index.ts';
import type { RegistryIndex } from '../signed-index/registry-index.ts';
import type { TrustStore } from '../signing/trust-store.ts';
import type { Resolution } from '../versions/resolve-version.ts';
import { ResolveError, resolveVersion } from '../versions/resolve-version.ts';
import type { RegistrySource } from './registry-source.ts';

/** The last index the runner accepted, kept beside the guard's state so a runner can start offline. */
export const LAST_INDEX_FILE = 'registry-index.json';

export interface PluginResolverOptions {
  source: RegistrySource;
  trust: TrustStore;
  cacheDir: string;
  /** How long past its expiry an index is still used (with a warning). */
  graceMs: number;
}

/**
 * Turns a guild's install specs (`^1.2.0`, or an exact pin) into exact versions, from the
 * registry's signed index: `refresh` fetches the index and lets the IndexGuard refuse a replayed
 * older one (rollback) or one expired past the grace period (freeze); when the registry cannot be
 * reached it falls back to the last index it accepted, which goes through the same expiry check.
 * `resolve` then never moves a guild below the version it runs unless the spec pins it.
 */
export class PluginResolver {
  readonly #options: PluginResolverOptions;
  readonly #guard: IndexGuard;
  #index: RegistryIndex | undefined;

  constructor(options: PluginResolverOptions) {
    this.#options = options;
    this.#guard = new IndexGuard({ cacheDir: options.cacheDir, trust: options.trust });
  }

  /** Fetch and check the registry's index; returns a warning for the operator, if any. */
  async refresh(now: Date = new Date()): Promise<{ serial: number; warning?: string; offline: boolean }> {
    let signed: SignedIndex;
    let offline = false;
    try {
      signed = await this.#options.source.index();
    } catch (error) {
      const stored = await this.#stored();
      if (!stored) throw new Error(`the registry is unreachable and no index was ever accepted: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      signed = stored;
      offline = true;
    }
    const accepted = await this.#guard.accept(signed, { now, graceMs: this.#options.graceMs });
    if (!offline) {
      const path = join(this.#options.cacheDir, LAST_INDEX_FILE);
      await writeFile(`${path}.tmp`, JSON.stringify(signed));
      await rename(`${path}.tmp`, path);
    }
    this.#index = accepted.index;
    return { serial: accepted.index.serial, offline, ...(accepted.warning ? { warning: accepted.warning } : {}) };
  }

  async #stored(): Promise<SignedIndex | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#options.cacheDir, LAST_INDEX_FILE), 'utf8')) as SignedIndex;
    } catch {
      return undefined;
    }
  }

  /** The exact version for `spec` (see resolveVersion), from the last accepted index. */
  resolve(name: string, spec: string, current?: string): Resolution {
    if (!this.#index) throw new Error('no registry index has been accepted yet: call refresh() first');
    const pkg = this.#index.packages[name];
    if (!pkg) throw new ResolveError('NO_MATCH', `${name} is not in the registry's index`);
    const published = Object.entries(pkg.versions).map(([version, v]) => ({ version, yanked: v.yanked }));
    return resolveVersion(published, spec, current);
  }
}
