import type { Namespace } from '../storage/plugin-store.ts';

/** What the host knows of one namespace: values (null = known absent) and bytes used. */
export interface CachedNamespace {
  readonly values: Map<string, string | null>;
  usage: number | undefined;
  /** Items of this namespace currently running; a namespace in use is never evicted. */
  pins: number;
}

const nsKey = (plugin: string, guildId: string): string => `${plugin}\u0000${guildId}`;

/**
 * The sandbox host's copy of plugin data. Each plugin's isolate lives in exactly one host, and
 * all its writes pass through here on their way to the store, so this copy is coherent without
 * invalidation: it is a read cache in front of the store, with least-recently-used eviction by
 * total bytes. Only committed values enter it; a running item's writes stay staged on the item.
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
      entry = { values: new Map(), usage: undefined, pins: 0 };
    }
    this.#entries.set(key, entry);
    return entry;
  }

  /** Record a value read from or written to the store. */
  put(entry: CachedNamespace, key: string, value: string | null): void {
    const before = entry.values.get(key);
    if (before) this.#bytes -= before.length + key.length;
    entry.values.set(key, value);
    if (value) this.#bytes += value.length + key.length;
  }

  drop(plugin: string, guildId: string): void {
    const key = nsKey(plugin, guildId);
    const entry = this.#entries.get(key);
    if (!entry) return;
    for (const [k, v] of entry.values) if (v) this.#bytes -= v.length + k.length;
    this.#entries.delete(key);
  }

  /** Evict least recently used, unpinned namespaces until within budget. */
  trim(): void {
    if (this.#bytes <= this.#budgetBytes) return;
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#budgetBytes) break;
      if (entry.pins > 0) continue;
      for (const [k, v] of entry.values) if (v) this.#bytes -= v.length + k.length;
      this.#entries.delete(key);
    }
  }

  get bytes(): number {
    return this.#bytes;
  }
}
