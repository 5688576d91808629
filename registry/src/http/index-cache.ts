/**
 * The signed index the routes serve. Building one takes a serial (a database write), so the
 * routes do not build one per request: they serve the last one until it is `refreshAfterMs`
 * old, or until this process publishes or yanks something (then the next request builds a new
 * one). Runners accept a repeated index as long as its bytes are identical, which a cached one is.
 * Another registry process's writes show up within `refreshAfterMs`.
 */
import type { RegistryService } from '../service/registry-service.ts';
import type { SignedIndex } from '../signed-index/registry-index.ts';

export interface IndexCacheOptions {
  /** How long each signed index stays valid. Default 24 hours. */
  validForMs?: number;
  /** Serve a built index for at most this long. Default 60 seconds; 0 builds one per request. */
  refreshAfterMs?: number;
  now?: () => number;
}

export const DEFAULT_INDEX_VALID_FOR_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_INDEX_REFRESH_AFTER_MS = 60 * 1000;

export class IndexCache {
  readonly #service: RegistryService;
  readonly #validForMs: number;
  readonly #refreshAfterMs: number;
  readonly #now: () => number;
  #current: { signed: SignedIndex; builtAt: number } | undefined;
  #building: Promise<SignedIndex> | undefined;
  #generation = 0;

  constructor(service: RegistryService, options: IndexCacheOptions = {}) {
    this.#service = service;
    this.#validForMs = options.validForMs ?? DEFAULT_INDEX_VALID_FOR_MS;
    this.#refreshAfterMs = Math.min(options.refreshAfterMs ?? DEFAULT_INDEX_REFRESH_AFTER_MS, this.#validForMs / 2);
    this.#now = options.now ?? Date.now;
  }

  async get(): Promise<SignedIndex> {
    const current = this.#current;
    if (current && this.#now() - current.builtAt < this.#refreshAfterMs) return current.signed;
    // concurrent requests share one build (and one serial)
    if (!this.#building) {
      const building: Promise<SignedIndex> = this.#build().finally(() => {
        if (this.#building === building) this.#building = undefined;
      });
      this.#building = building;
    }
    return this.#building;
  }

  /** Something changed: the next request gets a fresh index (not one whose build began before the change). */
  invalidate(): void {
    this.#generation++;
    this.#current = undefined;
    this.#building = undefined;
  }

  async #build(): Promise<SignedIndex> {
    const generation = this.#generation;
    const builtAt = this.#now();
    const signed = await this.#service.buildIndex({ validForMs: this.#validForMs });
    // a write that landed while building may be missing from this index: do not keep it
    if (generation === this.#generation) this.#current = { signed, builtAt };
    return signed;
  }
}
