import type { Namespace } from '../storage/plugin-store.ts';
import { SmallStringMap } from '../compact/small-string-map.ts';

/** What the host knows of one namespace: values (null = known absent) and bytes used. */
export interface CachedNamespace {
  readonly values: SmallStringMap<string | null>;
  usage: number | undefined;
  /**
   * Every key the namespace has is in `values`, so a key not there is absent: set when the store
   * reported the namespace empty (usage 0). It stays true as items write, since all of the
   * namespace's writes pass through this cache, and ends with the entry (eviction, drop).
   */
  complete: boolean;
  /** Items of this namespace currently running; a namespace in use is never evicted. */
  pins: number;
}

/** What the cache knows of a key: its value, null when it is known absent, undefined when unknown. */
export function cachedValue(entry: CachedNamespace, key: string): string | null | undefined {
  const value = entry.values.get(key);
  return value === undefined && entry.complete ? null : value;
}

const nsKey = (plugin: string, guildId: string): string => `${plugin}\u0000${guildId}`;
/** What an entry costs besides its text (map slot, strings' headers); absent keys cost this too. */
const ENTRY_OVERHEAD = 64;
const cost = (key: string, value: string | null): number => key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;

/**
 * The sandbox host's copy of plugin data. Each guild is served by exactly one host and all its
 * writes pass through here on their way to the store, so this copy stays coherent without
 * invalidation: it holds values read from the store and values of completed items (committed,
 * or being committed: when the store refuses a commit, the runner evicts the namespace).
 * Least-recently-used namespaces are evicted by total size, absent keys included.
 */
export class StorageCache {
  readonly #entries = new Map<string, CachedNamespace>();
  readonly #budgetBytes: number;
  #bytes = 0;

  constructor(budgetBytes: number) {
    this.#budgetBytes = budgetBytes;
  }

  /** The namespace's cache entry, created empty on first use and marked most recently used. */
  namespace(ns: Namespace): CachedNamespace {
    const key = nsKey(ns.plugin, ns.guildId);
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
    } else {
      entry = { values: new SmallStringMap(), usage: undefined, complete: false, pins: 0 };
    }
    this.#entries.set(key, entry);
    return entry;
  }

  /** Record a value read from or written to the store. */
  put(entry: CachedNamespace, key: string, value: string | null): void {
    const before = entry.values.get(key);
    if (before !== undefined) this.#bytes -= cost(key, before);
    entry.values.set(key, value);
    this.#bytes += cost(key, value);
  }

  #clear(entry: CachedNamespace): void {
    for (const [k, v] of entry.values) this.#bytes -= cost(k, v);
    entry.values.clear();
    entry.usage = undefined;
    entry.complete = false;
  }

  /**
   * Forget a namespace. Items running in it keep their entry object, now empty, so their next
   * read goes to the store again instead of looking in an entry nobody fills any more.
   */
  drop(plugin: string, guildId: string): void {
    const key = nsKey(plugin, guildId);
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#clear(entry);
    if (entry.pins === 0) this.#entries.delete(key);
  }

  /** Evict least recently used, unpinned namespaces until within budget. */
  trim(): void {
    if (this.#bytes <= this.#budgetBytes) return;
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#budgetBytes) break;
      if (entry.pins > 0) continue;
      this.#clear(entry);
      this.#entries.delete(key);
    }
  }

  get bytes(): number {
    return this.#bytes;
  }
}
