import type { StoredEntry } from '../storage/plugin-store.ts';
import type { HostItem } from './host-item.ts';
import type { StorageBackend } from './sandbox-protocol.ts';
import type { StorageCache } from './storage-cache.ts';

type KeyLoad = { plugin: string; guildId: string; keys: Set<string>; wantUsage: boolean; opIds: string[] };
type ListLoad = { opId: string; plugin: string; guildId: string; prefix: string; limit: number; after?: string };
export type ReadRequest = { key: string } | { list: { prefix: string; limit: number; after?: string } };

/**
 * The storage reads a plugin slot's items are waiting for. Reads missed during a call are
 * gathered and sent to the runner together after it (one request for every guild); when they come
 * back, the cache is filled and the ops are handed back to the slot to retry. A fault starts a
 * new generation: answers to the old one are dropped.
 */
export class SlotReads {
  readonly #plugin: string;
  readonly #cache: StorageCache;
  readonly #backend: StorageBackend;
  #generation = 0;
  #counter = 0;
  readonly #keyLoads = new Map<string, KeyLoad>();
  #listLoads: ListLoad[] = [];
  readonly #listResults = new Map<string, StoredEntry[]>();
  readonly #errors = new Map<string, string>();
  readonly #owners = new Map<string, HostItem>();

  constructor(plugin: string, cache: StorageCache, backend: StorageBackend) {
    this.#plugin = plugin;
    this.#cache = cache;
    this.#backend = backend;
  }

  /** Register a read the item must wait for; returns the op id its retry will carry. */
  miss(item: HostItem, request: ReadRequest): string {
    const opId = `${this.#generation}.${++this.#counter}`;
    item.misses++;
    this.#owners.set(opId, item);
    if ('list' in request) {
      this.#listLoads.push({ opId, plugin: this.#plugin, guildId: item.guildId, ...request.list });
      return opId;
    }
    let load = this.#keyLoads.get(item.guildId);
    if (!load) this.#keyLoads.set(item.guildId, (load = { plugin: this.#plugin, guildId: item.guildId, keys: new Set(), wantUsage: false, opIds: [] }));
    load.keys.add(request.key);
    load.wantUsage ||= item.ns?.usage === undefined;
    load.opIds.push(opId);
    return opId;
  }

  ownerOf(opId: string): HostItem | undefined {
    return this.#owners.get(opId);
  }

  /** The item a returned op belongs to, if it is still running; otherwise forget what the op left. */
  claim(opId: string, running: (item: HostItem) => boolean): HostItem | undefined {
    const owner = this.#owners.get(opId);
    this.#owners.delete(opId);
    if (owner && running(owner)) return owner;
    this.#listResults.delete(opId);
    this.#errors.delete(opId);
    return undefined;
  }

  takeListResult(opId: string): StoredEntry[] | undefined {
    const rows = this.#listResults.get(opId);
    this.#listResults.delete(opId);
    return rows;
  }

  takeError(opId: string): string | undefined {
    const error = this.#errors.get(opId);
    this.#errors.delete(opId);
    return error;
  }

  /** Send the reads gathered during a call; `ready` gets the op ids to retry as answers arrive. */
  send(ready: (opIds: string[]) => void): void {
    const generation = this.#generation;
    const settle = (opIds: string[], failure?: unknown) => {
      if (generation !== this.#generation) return;
      if (failure !== undefined) {
        const message = `storage is unavailable: ${failure instanceof Error ? failure.message : String(failure)}`;
        for (const opId of opIds) this.#errors.set(opId, message);
      }
      ready(opIds);
    };
    // Every guild's missed keys in one request: one round trip to the runner and to the store.
    const loads = [...this.#keyLoads.values()];
    this.#keyLoads.clear();
    if (loads.length > 0) {
      const opIds = loads.flatMap((l) => l.opIds);
      this.#backend.read(loads.map((l) => ({ plugin: l.plugin, guildId: l.guildId, keys: [...l.keys], wantUsage: l.wantUsage }))).then(
        (results) => {
          if (generation !== this.#generation) return;
          // A missing answer must not be cached as "absent": a later write would look like a new key.
          if (results.length !== loads.length) {
            settle(opIds, new Error(`the store answered ${results.length} of ${loads.length} reads`));
            return;
          }
          loads.forEach((load, i) => {
            const entry = this.#cache.namespace(load);
            const found = new Map<string, string>(results[i]?.values ?? []);
            // A value already cached is newer than what the store had when it answered.
            for (const k of load.keys) if (!entry.values.has(k)) this.#cache.put(entry, k, found.get(k) ?? null);
            const usage = results[i]?.usage;
            if (usage !== undefined && entry.usage === undefined) {
              entry.usage = usage;
              // Nothing stored: this host's commits land before its reads, so no write is missing
              // from the store's answer, and later keys of this namespace need no read at all.
              entry.complete = usage === 0;
            }
          });
          settle(opIds);
        },
        (error: unknown) => settle(opIds, error),
      );
    }
    for (const list of this.#listLoads) {
      this.#backend.list({ plugin: list.plugin, guildId: list.guildId }, list.prefix, list.limit, list.after).then((rows) => {
        if (generation === this.#generation) this.#listResults.set(list.opId, rows);
        settle([list.opId]);
      }, (error: unknown) => settle([list.opId], error));
    }
    this.#listLoads = [];
  }

  /** After a fault: every read in progress belongs to a run that will start over. */
  reset(): void {
    this.#generation++;
    this.#keyLoads.clear();
    this.#listLoads = [];
    this.#listResults.clear();
    this.#errors.clear();
    this.#owners.clear();
  }
}
