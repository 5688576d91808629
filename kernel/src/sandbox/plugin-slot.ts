import { parseInteractionReply } from '../actions/interaction-reply.ts';
import { GuestCalls } from './guest-calls.ts';
import { SlotReads } from './slot-reads.ts';
import type { HostItem } from './host-item.ts';
import { failedResult, resetHostItem, toHostItem } from './host-item.ts';
import type { GuestInput, HandlerNames } from './plugin-isolate.ts';
import { PluginIsolate } from './plugin-isolate.ts';
import type { GuildSetting, ItemResult, PluginImage, StorageBackend, WorkItem } from './sandbox-protocol.ts';
import { SandboxFault } from './sandbox-fault.ts';
import type { StorageCache } from './storage-cache.ts';
import type { Interner } from './interner.ts';

/** Most items started in one call into the isolate. */
const MAX_BATCH = 256;
/**
 * Most payload characters started in one call. A call's input is serialised into one buffer and
 * copied into the isolate; the smaller that buffer, the likelier malloc hands back memory it
 * already has instead of fresh pages that fault in (page faults are dear on these virtual
 * machines: a cap of 512 KB used about 8% more host CPU per event than this one, in two runs).
 */
const MAX_BATCH_CHARS = 96 * 1024;
const LOAD_TIMEOUT_MS = 500;
/** Times an item may be cut short by a busy machine before its timeouts count against it. */
const MAX_CONTENTIONS = 3;
const NO_GRANTS: ReadonlySet<string> = new Set();

export interface SlotEnv {
  cache: StorageCache;
  /** Config texts and grant sets that guilds hold equal, shared by every slot of the host. */
  configTexts: Interner<string>;
  grantSets: Interner<ReadonlySet<string>>;
  backend: StorageBackend;
  emit(result: ItemResult): void;
  /** Send what was emitted so far (before any storage request, so commits precede reads). */
  flush(): void;
  /** Ask the host to pump this slot again soon. */
  wake(slot: PluginSlot): void;
}

interface GuildState {
  id: string;
  configJson: string;
  version: number;
  grants: ReadonlySet<string>;
  queue: HostItem[];
  active: HostItem | null;
}


/**
 * One plugin version in a sandbox host: its isolate, the guilds that use it, and the scheduling
 * of their work. A guild's items run one at a time and in order; different guilds' items share
 * each call into the isolate, so the boundary is crossed once per batch, not once per event.
 * When a call faults, every item that ran in it becomes a suspect and runs again alone on a fresh
 * isolate: the one that faults alone is the culprit, the others complete normally.
 */
export class PluginSlot {
  readonly image: PluginImage;
  handlers: HandlerNames;
  readonly #env: SlotEnv;
  readonly #calls: GuestCalls;
  #isolate: PluginIsolate | null;
  readonly #guilds = new Map<string, GuildState>();
  readonly #ready = new Set<GuildState>();
  readonly #active = new Map<number, HostItem>();
  #suspects: HostItem[] = [];
  #solo: HostItem | null = null;
  /**
   * Items still to start one per call. A plugin could loop only when several items share a call,
   * so that each suspect passes alone: after a fault without a culprit, the slot runs unbatched
   * for a while, longer each time it happens again.
   */
  #unbatched = 0;
  #faultsWithoutCulprit = 0;
  #retries: string[] = [];
  #abandon: number[] = [];
  readonly #sentConfig = new Map<string, number>();
  readonly #reads: SlotReads;

  constructor(image: PluginImage, env: SlotEnv) {
    this.image = image;
    this.#env = env;
    this.#reads = new SlotReads(image.name, env.cache, env.backend);
    this.#calls = new GuestCalls({
      image,
      active: (seq) => this.#active.get(seq),
      grants: (item) => this.#guilds.get(item.guildId)?.grants ?? NO_GRANTS,
      miss: (item, request) => this.#reads.miss(item, request),
      takeListResult: (opId) => this.#reads.takeListResult(opId),
      takeOpError: (opId) => this.#reads.takeError(opId),
    });
    this.#isolate = this.#build();
    this.handlers = this.#isolate.handlers;
  }

  #build(): PluginIsolate {
    return new PluginIsolate({
      code: this.image.code,
      filename: `${this.image.key}.js`,
      memoryMb: this.image.limits.memoryMb,
      permissions: this.image.permissions,
      loadTimeoutMs: LOAD_TIMEOUT_MS,
      bridge: this.#calls,
    });
  }

  setGuild(setting: GuildSetting): void {
    let g = this.#guilds.get(setting.guildId);
    if (!g) this.#guilds.set(setting.guildId, (g = { id: setting.guildId, configJson: '{}', version: 0, grants: NO_GRANTS, queue: [], active: null }));
    const { configJson, grants } = setting;
    g.configJson = this.#env.configTexts.get(configJson, () => configJson);
    g.version++;
    g.grants = this.#env.grantSets.get(grants.join(), () => new Set(grants));
  }

  removeGuild(guildId: string): void {
    const g = this.#guilds.get(guildId);
    if (!g) return;
    this.#cancel(g, 'the plugin was disabled for this server');
    this.#ready.delete(g);
    this.#guilds.delete(guildId);
    this.#sentConfig.delete(guildId);
    this.#env.cache.drop(this.image.name, guildId);
    try {
      this.#isolate?.forgetGuild(guildId);
    } catch {
      // a faulted isolate is rebuilt without this guild's config anyway
    }
  }

  enqueue(work: WorkItem): void {
    const g = this.#guilds.get(work.guildId);
    const item = toHostItem(work);
    if (!g) {
      this.#env.emit(failedResult(item, 'cancelled', { name: 'HostError', code: 'CANCELLED', message: 'the plugin is not enabled for this server' }));
      return;
    }
    g.queue.push(item);
    if (!g.active) this.#ready.add(g);
  }

  get queued(): number {
    let n = this.#active.size + this.#suspects.length;
    for (const g of this.#guilds.values()) n += g.queue.length;
    return n;
  }

  heapUsedBytes(): number {
    return this.#isolate?.heapUsedBytes() ?? 0;
  }

  /** Give the isolate's garbage back (memory relief). */
  releaseMemory(): void {
    try {
      this.#isolate?.releaseMemory();
    } catch (error) {
      if (!(error instanceof SandboxFault)) throw error;
      // No guild's code ran: nothing is blamed, items in flight run again in a fresh isolate.
      this.#fault(error, new Set(), 0);
      this.#env.wake(this);
    }
  }

  /** Run one round; returns true when more work is ready right away. */
  pump(): boolean {
    if (!this.#isolate) {
      try {
        this.#isolate = this.#build();
      } catch (error) {
        this.#failEverything(error);
        return false;
      }
    }
    let retries = this.#retries;
    this.#retries = [];
    let started: HostItem[] = [];
    if (this.#unbatched > 0 && retries.length > 0) {
      // Unbatched: one item per call, so resume one item's reads and start nothing else.
      const owner = this.#reads.ownerOf(retries[0] ?? '');
      this.#retries = retries.filter((opId) => this.#reads.ownerOf(opId) !== owner);
      retries = retries.filter((opId) => this.#reads.ownerOf(opId) === owner);
    } else {
      started = this.#startable();
    }
    const abandon = this.#abandon;
    this.#abandon = [];
    if (started.length === 0 && retries.length === 0 && abandon.length === 0) return false;
    const ran = new Set(started);
    for (const opId of retries) {
      const owner = this.#reads.claim(opId, (item) => this.#active.get(item.seq) === item);
      if (owner) ran.add(owner);
    }
    this.#unbatched = Math.max(0, this.#unbatched - ran.size);
    const budgetMs = this.image.limits.cpuMsPerEvent + ran.size;
    try {
      this.#isolate.run(this.#input(started, retries, abandon), budgetMs);
      for (const [seq, ok, text] of this.#isolate.collect(this.image.limits.cpuMsPerEvent, this.#active.size)) {
        const item = this.#active.get(seq);
        if (item) this.#complete(item, ok === 1, text);
      }
    } catch (error) {
      if (!(error instanceof SandboxFault)) throw error;
      this.#fault(error, ran, budgetMs);
      return true;
    }
    this.#failStuck();
    this.#env.flush();
    this.#reads.send((opIds) => {
      this.#retries.push(...opIds);
      this.#env.wake(this);
    });
    return this.#ready.size > 0 || this.#retries.length > 0 || (this.#solo === null && this.#suspects.length > 0);
  }

  #startable(): HostItem[] {
    if (this.#solo) return [];
    const next = this.#suspects.shift();
    if (next) {
      this.#solo = next;
      this.#activate(next);
      return [next];
    }
    const started: HostItem[] = [];
    const batch = this.#unbatched > 0 ? 1 : MAX_BATCH;
    let chars = 0;
    for (const g of this.#ready) {
      if (started.length >= batch || chars >= MAX_BATCH_CHARS) break;
      this.#ready.delete(g);
      const item = g.queue.shift();
      if (!item) continue;
      g.active = item;
      this.#activate(item);
      started.push(item);
      chars += item.payload.length;
    }
    return started;
  }

  #activate(item: HostItem): void {
    item.ns = this.#env.cache.namespace({ plugin: this.image.name, guildId: item.guildId });
    item.ns.pins++;
    this.#active.set(item.seq, item);
  }

  #input(started: HostItem[], retries: string[], abandon: number[]): GuestInput {
    const configs: string[] = [];
    const items: Array<string | number> = [];
    for (const item of started) {
      const g = this.#guilds.get(item.guildId);
      if (g && this.#sentConfig.get(g.id) !== g.version) {
        configs.push(g.id, g.configJson);
        this.#sentConfig.set(g.id, g.version);
      }
      items.push(item.seq, item.kind, item.name, item.guildId, item.payload);
    }
    return { configs, retries, abandon, items };
  }

  #complete(item: HostItem, ok: boolean, text: string, fault?: ItemResult['fault']): void {
    if (ok && item.kind === 'command') {
      // An invalid reply fails the command here, before its writes reach the cache or the store.
      const reply = parseInteractionReply(text);
      if ('error' in reply) {
        ok = false;
        text = JSON.stringify({ name: 'HostError', code: 'INVALID_REPLY', message: reply.error });
      }
    }
    this.#active.delete(item.seq);
    if (item.ns) {
      item.ns.pins--;
      if (ok) {
        for (const [k, v] of item.staged) this.#env.cache.put(item.ns, k, v);
        if (item.ns.usage !== undefined) item.ns.usage += item.stagedDelta;
      }
    }
    if (ok) {
      this.#env.emit({ seq: item.seq, ok: true, value: text, writes: [...item.staged], actions: item.actions, logs: item.logs, denials: item.denials });
    } else {
      let error: { name: string; message: string; code?: string };
      try {
        error = JSON.parse(text) as typeof error;
      } catch {
        error = { name: 'Error', message: text };
      }
      this.#env.emit(failedResult(item, fault, error));
    }
    if (this.#solo === item) this.#solo = null;
    const g = this.#guilds.get(item.guildId);
    if (g && g.active === item) {
      g.active = null;
      if (g.queue.length > 0) this.#ready.add(g);
    }
  }

  /** An item still running with nothing outstanding can only be waiting on a promise that never settles. */
  #failStuck(): void {
    for (const item of this.#active.values()) {
      if (item.misses > 0) continue;
      this.#abandon.push(item.seq);
      this.#complete(item, false, JSON.stringify({ name: 'HostError', code: 'UNSETTLED', message: 'the handler returned a promise that never settles' }), 'unsettled');
    }
    if (this.#abandon.length > 0) this.#env.wake(this);
  }

  /** Dispose the isolate; items that ran in the faulted call are retried alone to find the culprit. */
  #fault(fault: SandboxFault, ran: Set<HostItem>, budgetMs: number): void {
    this.#isolate?.dispose();
    this.#isolate = null;
    this.#sentConfig.clear();
    this.#retries = [];
    this.#abandon = [];
    this.#reads.reset();
    // A timeout with little CPU used means the machine was busy, not that the plugin looped: run
    // the items again without blame (a few times; after that their timeouts count as usual).
    const contended = fault.kind === 'cpu-limit' && fault.cpuMs !== undefined && fault.cpuMs < budgetMs / 2;
    const blamed = new Set<HostItem>();
    for (const item of ran) if (!contended || ++item.contentions > MAX_CONTENTIONS) blamed.add(item);
    const alone = ran.size === 1 && blamed.size === 1;
    if (alone || (this.#solo !== null && blamed.has(this.#solo))) {
      this.#faultsWithoutCulprit = 0;
    } else if (blamed.size > 1) {
      this.#faultsWithoutCulprit++;
      this.#unbatched = Math.min(4096, 64 * 2 ** Math.min(6, this.#faultsWithoutCulprit - 1));
    }
    for (const item of [...this.#active.values()]) {
      resetHostItem(item);
      if (item === this.#solo && !blamed.has(item)) {
        this.#active.delete(item.seq);
        if (item.ns) item.ns.pins--;
        this.#suspects.unshift(item);
        continue;
      }
      if (item === this.#solo || (alone && blamed.has(item))) {
        this.#complete(item, false, JSON.stringify({ name: 'SandboxFault', code: fault.code, message: fault.message }), fault.kind);
        continue;
      }
      this.#active.delete(item.seq);
      if (item.ns) item.ns.pins--;
      if (blamed.has(item)) {
        this.#suspects.push(item);
      } else {
        const g = this.#guilds.get(item.guildId);
        if (g) {
          g.active = null;
          g.queue.unshift(item);
          this.#ready.add(g);
        }
      }
    }
    this.#solo = null;
    this.#env.flush();
  }

  /** Fail a guild's queued, running and suspect items (the plugin is going away for it). */
  #cancel(g: GuildState, message: string): void {
    const error = { name: 'HostError', code: 'CANCELLED', message };
    for (const item of g.queue) this.#env.emit(failedResult(item, 'cancelled', error));
    g.queue = [];
    const suspects = this.#suspects.filter((item) => item.guildId === g.id);
    this.#suspects = this.#suspects.filter((item) => item.guildId !== g.id);
    for (const item of suspects) this.#env.emit(failedResult(item, 'cancelled', error));
    if (g.active && this.#active.get(g.active.seq) === g.active) {
      this.#abandon.push(g.active.seq);
      this.#complete(g.active, false, JSON.stringify(error), 'cancelled');
    }
    g.active = null;
  }

  #failEverything(error: unknown): void {
    const message = `the plugin could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    const items = [...this.#suspects, ...this.#active.values()];
    for (const item of this.#active.values()) if (item.ns) item.ns.pins--;
    for (const g of this.#guilds.values()) items.push(...g.queue.splice(0));
    this.#suspects = [];
    this.#active.clear();
    this.#solo = null;
    for (const g of this.#guilds.values()) g.active = null;
    this.#ready.clear();
    for (const item of items) this.#env.emit(failedResult(item, 'load-failed', { name: 'SandboxFault', code: 'LOAD_FAILED', message }));
    this.#env.flush();
  }

  /** Unload: every item still here fails as cancelled (none is left waiting), then the isolate goes. */
  dispose(): void {
    for (const g of this.#guilds.values()) this.#cancel(g, 'this plugin version was unloaded');
    this.#env.flush();
    this.#isolate?.dispose();
    this.#isolate = null;
  }
}
