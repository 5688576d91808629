import type { HandlerNames } from './plugin-isolate.ts';
import { PluginSlot } from './plugin-slot.ts';
import type { GuildSetting, HostStats, ItemResult, PluginImage, StorageBackend, WorkItem } from './sandbox-protocol.ts';
import { Interner } from './interner.ts';
import { StorageCache } from './storage-cache.ts';

export interface SandboxHostOptions {
  backend: StorageBackend;
  onResults(results: ItemResult[]): void;
  cacheBudgetBytes?: number;
}

/**
 * Runs plugin isolates for the runner. It lives in a sandbox host process (or, in development,
 * in the runner itself) and knows nothing of Discord or the database: work comes in as items,
 * results go out with the writes and actions they staged, storage is reached through a backend.
 */
export class SandboxHost {
  readonly #slots = new Map<string, PluginSlot>();
  readonly #cache: StorageCache;
  readonly #configTexts = new Interner<string>();
  readonly #grantSets = new Interner<ReadonlySet<string>>();
  readonly #backend: StorageBackend;
  readonly #onResults: (results: ItemResult[]) => void;
  #pending: ItemResult[] = [];
  readonly #awake = new Set<PluginSlot>();
  #scheduled = false;

  constructor(options: SandboxHostOptions) {
    this.#backend = options.backend;
    this.#onResults = options.onResults;
    this.#cache = new StorageCache(options.cacheBudgetBytes ?? 64 * 1024 * 1024);
  }

  load(image: PluginImage): HandlerNames {
    const existing = this.#slots.get(image.key);
    if (existing) return existing.handlers;
    const slot = new PluginSlot(image, {
      cache: this.#cache,
      configTexts: this.#configTexts,
      grantSets: this.#grantSets,
      backend: this.#backend,
      emit: (result) => this.#pending.push(result),
      flush: () => this.#flush(),
      wake: (s) => this.#wake(s),
    });
    this.#slots.set(image.key, slot);
    return slot.handlers;
  }

  unload(key: string): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#slots.delete(key);
    this.#awake.delete(slot);
    slot.dispose();
  }

  setGuild(setting: GuildSetting): void {
    this.#slots.get(setting.plugin)?.setGuild(setting);
  }

  removeGuild(plugin: string, guildId: string): void {
    this.#slots.get(plugin)?.removeGuild(guildId);
    this.#flush();
  }

  /** Drop cached data of a namespace (after the store refused a write the cache had taken). */
  evict(pluginName: string, guildId: string): void {
    this.#cache.drop(pluginName, guildId);
  }

  submit(items: readonly WorkItem[]): void {
    for (const item of items) {
      const slot = this.#slots.get(item.plugin);
      if (!slot) {
        this.#pending.push({ seq: item.seq, ok: false, fault: 'load-failed', error: { name: 'SandboxFault', code: 'NOT_LOADED', message: `plugin ${item.plugin} is not loaded in this sandbox host` }, writes: [], actions: [], logs: [], denials: [] });
        continue;
      }
      slot.enqueue(item);
      this.#wake(slot);
    }
    this.#flush();
  }

  /** Memory relief for the plugin isolates: each collects its garbage and gives the pages back. */
  releaseIsolateMemory(): void {
    for (const slot of this.#slots.values()) slot.releaseMemory();
  }

  stats(): HostStats {
    const heapBytesByPlugin: Record<string, number> = {};
    let queued = 0;
    for (const [key, slot] of this.#slots) {
      heapBytesByPlugin[key] = slot.heapUsedBytes();
      queued += slot.queued;
    }
    const memory = process.memoryUsage();
    return { pid: process.pid, rssBytes: memory.rss, hostHeapBytes: memory.heapUsed, heapBytesByPlugin, cacheBytes: this.#cache.bytes, queued };
  }

  #wake(slot: PluginSlot): void {
    this.#awake.add(slot);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  // One round per awake slot, then yield to I/O so storage replies and new work get in.
  #run(): void {
    this.#scheduled = false;
    const slots = [...this.#awake];
    this.#awake.clear();
    for (const slot of slots) {
      if (!this.#slots.has(slot.image.key)) continue;
      if (slot.pump()) this.#awake.add(slot);
    }
    this.#flush();
    this.#cache.trim();
    if (this.#awake.size > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#run());
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const results = this.#pending;
    this.#pending = [];
    this.#onResults(results);
  }

  dispose(): void {
    for (const slot of this.#slots.values()) slot.dispose();
    this.#slots.clear();
  }
}
