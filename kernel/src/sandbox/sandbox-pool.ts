import type { Logger } from 'pino';
import type { NamespaceWrites, PluginStore } from '../storage/plugin-store.ts';
import type { HostLink } from './host-link.ts';
import { ChildHostLink, InProcessHostLink } from './host-link.ts';
import type { HandlerNames } from './plugin-isolate.ts';
import type { FromHost, GuildSetting, HostStats, ItemResult, PluginImage, WorkItem } from './sandbox-protocol.ts';

export interface SandboxPoolOptions {
  /** Number of sandbox host processes; 0 runs one host inside this process (development). */
  hosts: number;
  store: PluginStore;
  logger: Logger;
  heartbeatMs?: number;
  /** Deliveries of one item before it is given up as a dead letter. */
  maxAttempts?: number;
  hostMaxOldSpaceMb?: number;
  onHostReplaced?(info: { index: number; reason: string; retried: number; deadLettered: number }): void;
}

interface Pending {
  item: WorkItem;
  /** The image it runs, taken when it was submitted: its writes commit even if the image is unloaded meanwhile. */
  image: { name: string; version: string };
  attempts: number;
  resolve(result: ItemResult): void;
}

interface Host {
  index: number;
  link: HostLink;
  inflight: Map<number, Pending>;
  outbox: WorkItem[];
  /** Storage work of this host, in arrival order: a commit always lands before a later read. */
  chain: Promise<void>;
  waiting: Map<number, (message: FromHost) => void>;
  lastPong: number;
  closed: boolean;
}

let requestIds = 0;

/**
 * The runner's side of the sandbox: a small pool of sandbox host processes, supervised. Every
 * host carries one isolate per loaded plugin version; each guild is served by one host, so that
 * host's data cache stays coherent. A host
 * that exits or stops answering heartbeats is replaced; its plugins are reloaded and its
 * in-flight items delivered again, or dead-lettered after `maxAttempts`, never dropped.
 */
export class SandboxPool {
  readonly #options: Required<Omit<SandboxPoolOptions, 'onHostReplaced'>> & Pick<SandboxPoolOptions, 'onHostReplaced'>;
  readonly #hosts: Host[] = [];
  readonly #images = new Map<string, PluginImage>();
  readonly #settings = new Map<string, Map<string, GuildSetting>>();
  #seq = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(options: SandboxPoolOptions) {
    this.#options = { heartbeatMs: 1000, maxAttempts: 3, hostMaxOldSpaceMb: 512, ...options };
    const count = Math.max(1, options.hosts);
    for (let i = 0; i < count; i++) this.#hosts.push(this.#spawn(i));
    this.#heartbeat = setInterval(() => this.#checkHeartbeats(), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  get mode(): 'process' | 'inprocess' {
    return this.#options.hosts === 0 ? 'inprocess' : 'process';
  }

  #spawn(index: number): Host {
    const link = this.#options.hosts === 0 ? new InProcessHostLink() : new ChildHostLink({ maxOldSpaceMb: this.#options.hostMaxOldSpaceMb });
    const host: Host = { index, link, inflight: new Map(), outbox: [], chain: Promise.resolve(), waiting: new Map(), lastPong: Date.now(), closed: false };
    link.onMessage((message) => this.#onMessage(host, message));
    link.onExit((reason) => this.#onExit(host, reason));
    return host;
  }

  /** Guilds are spread over hosts; all of one guild's work runs in one host, so its data cache is coherent. */
  #hostFor(guildId: string): Host {
    let h = 0;
    for (let i = 0; i < guildId.length; i++) h = (h * 31 + guildId.charCodeAt(i)) | 0;
    const host = this.#hosts[Math.abs(h) % this.#hosts.length];
    if (!host) throw new Error('the sandbox pool has no hosts');
    return host;
  }

  #request<T extends FromHost>(host: Host, build: (id: number) => Parameters<HostLink['send']>[0], timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = ++requestIds;
      const timer = setTimeout(() => {
        host.waiting.delete(id);
        reject(new Error(`sandbox host ${host.index} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      host.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      host.link.send(build(id));
    });
  }

  /** Load a plugin image into every host (isolate, compile and first call happen there). */
  async load(image: PluginImage): Promise<HandlerNames> {
    const replies = await Promise.all(this.#hosts.map((host) => this.#request<Extract<FromHost, { t: 'loaded' }>>(host, (id) => ({ t: 'load', id, image }))));
    const failed = replies.find((r) => !r.ok || !r.handlers);
    if (failed) {
      for (const host of this.#hosts) host.link.send({ t: 'unload', key: image.key });
      throw new Error(failed.error ?? 'the plugin could not be loaded');
    }
    this.#images.set(image.key, image);
    return replies[0]?.handlers ?? { events: [], commands: [], migrations: [] };
  }

  unload(key: string): void {
    const image = this.#images.get(key);
    if (!image) return;
    this.#images.delete(key);
    this.#settings.delete(key);
    for (const host of this.#hosts) host.link.send({ t: 'unload', key });
  }

  setGuild(setting: GuildSetting): void {
    const image = this.#images.get(setting.plugin);
    if (!image) throw new Error(`plugin ${setting.plugin} is not loaded`);
    let guilds = this.#settings.get(setting.plugin);
    if (!guilds) this.#settings.set(setting.plugin, (guilds = new Map()));
    guilds.set(setting.guildId, setting);
    this.#hostFor(setting.guildId).link.send({ t: 'guild', setting });
  }

  removeGuild(plugin: string, guildId: string): void {
    this.#settings.get(plugin)?.delete(guildId);
    if (this.#images.has(plugin)) this.#hostFor(guildId).link.send({ t: 'unguild', plugin, guildId });
  }

  /** Run one item; resolves once its writes are committed (or it failed). Never rejects. */
  run(work: Omit<WorkItem, 'seq'>): Promise<ItemResult> {
    const image = this.#images.get(work.plugin);
    const item: WorkItem = { ...work, seq: ++this.#seq };
    if (!image || this.#closing) {
      return Promise.resolve({ seq: item.seq, ok: false, fault: 'cancelled', error: { name: 'SandboxFault', code: 'NOT_LOADED', message: this.#closing ? 'the sandbox is shutting down' : `plugin ${work.plugin} is not loaded` }, writes: [], actions: [], logs: [], denials: [] });
    }
    return new Promise((resolve) => this.#dispatch(this.#hostFor(item.guildId), { item, image: { name: image.name, version: image.version }, attempts: 0, resolve }));
  }

  #dispatch(host: Host, pending: Pending): void {
    pending.attempts++;
    host.inflight.set(pending.item.seq, pending);
    host.outbox.push(pending.item);
    if (host.outbox.length === 1) {
      setImmediate(() => {
        const items = host.outbox;
        host.outbox = [];
        if (items.length > 0) host.link.send({ t: 'submit', items });
      });
    }
  }

  #onMessage(host: Host, message: FromHost): void {
    switch (message.t) {
      case 'results':
        host.chain = host.chain.then(() => this.#commit(host, message.results));
        break;
      case 'storage':
        host.chain = host.chain.then(() => this.#serveStorage(host, message));
        break;
      default: {
        if (message.t === 'pong') host.lastPong = Date.now();
        const waiter = host.waiting.get(message.id);
        host.waiting.delete(message.id);
        waiter?.(message);
      }
    }
  }

  async #serveStorage(host: Host, message: Extract<FromHost, { t: 'storage' }>): Promise<void> {
    const { store } = this.#options;
    try {
      if (message.op === 'list') {
        host.link.send({ t: 'storage', id: message.id, ok: true, value: await store.list(message.ns, message.prefix, message.limit, message.after) });
      } else {
        const values = await store.get(message.ns, message.keys);
        const usage = message.wantUsage ? await store.usage(message.ns) : undefined;
        host.link.send({ t: 'storage', id: message.id, ok: true, value: { values: [...values], usage } });
      }
    } catch (error) {
      this.#options.logger.error({ err: error, ns: message.ns }, 'plugin storage read failed');
      host.link.send({ t: 'storage', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Commit the writes of a batch of results, then settle their items. Event and command writes of
   * all guilds commit in one transaction; each migration step commits alone with its ledger row.
   * Writes the store refused are evicted from the host's cache and their items fail, so neither
   * their data nor their actions exist anywhere.
   */
  async #commit(host: Host, results: ItemResult[]): Promise<void> {
    const { store } = this.#options;
    const byGuild = new Map<string, NamespaceWrites>();
    const batched: ItemResult[] = [];
    const refuse = (result: ItemResult, message: string) =>
      Object.assign(result, { ok: false, value: undefined, actions: [], writes: [], error: { name: 'StorageError', code: 'STORAGE_UNAVAILABLE', message } });
    for (const result of results) {
      const pending = host.inflight.get(result.seq);
      if (!pending || !result.ok) continue;
      const { item, image } = pending;
      if (item.kind === 'up' || item.kind === 'down') {
        const writes = result.writes.map(([key, value]) => ({ key, value }));
        const applied = await this.#withRetry(() => store.commitMigration({ plugin: image.name, guildId: item.guildId, migrationId: item.name, direction: item.kind as 'up' | 'down', pluginVersion: image.version, writes }));
        if (applied === true) continue;
        // Not applied (already done elsewhere, or refused): the cache took writes the store does not have.
        host.link.send({ t: 'evict', plugin: image.name, guildId: item.guildId });
        if (applied !== false) refuse(result, `the migration could not be committed: ${String(applied)}`);
        continue;
      }
      if (result.writes.length === 0) continue;
      const k = `${image.name}\u0000${item.guildId}`;
      let nw = byGuild.get(k);
      if (!nw) byGuild.set(k, (nw = { plugin: image.name, guildId: item.guildId, writes: [] }));
      for (const [key, value] of result.writes) nw.writes.push({ key, value });
      batched.push(result);
    }
    const batch = [...byGuild.values()];
    if (batch.length > 0 && (await this.#withRetry(() => store.commit(batch))) !== true) {
      for (const nw of batch) host.link.send({ t: 'evict', plugin: nw.plugin, guildId: nw.guildId });
      for (const result of batched) refuse(result, "the plugin's writes could not be saved; its actions were not performed");
    }
    for (const result of results) {
      const pending = host.inflight.get(result.seq);
      host.inflight.delete(result.seq);
      pending?.resolve(result);
    }
  }

  /** Retry a store write a few times; returns true, false (a no-op migration) or the error. */
  async #withRetry(fn: () => Promise<unknown>): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await fn();
        return r === undefined ? true : r;
      } catch (error) {
        this.#options.logger.warn({ err: error, attempt }, 'plugin storage commit failed');
        if (attempt >= 3) return error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  #checkHeartbeats(): void {
    const deadline = Date.now() - 5 * this.#options.heartbeatMs;
    for (const host of this.#hosts) {
      if (host.closed) continue;
      if (host.lastPong < deadline) {
        this.#options.logger.error({ host: host.index, pid: host.link.pid }, 'sandbox host stopped answering heartbeats; replacing it');
        host.link.kill();
        continue;
      }
      this.#request(host, (id) => ({ t: 'ping', id }), 5 * this.#options.heartbeatMs).catch(() => {});
    }
  }

  #onExit(host: Host, reason: string): void {
    if (host.closed || this.#closing) return;
    host.closed = true;
    const replacement = this.#spawn(host.index);
    this.#hosts[host.index] = replacement;
    for (const image of this.#images.values()) {
      replacement.link.send({ t: 'load', id: ++requestIds, image });
      for (const setting of this.#settings.get(image.key)?.values() ?? []) {
        if (this.#hostFor(setting.guildId) === replacement) replacement.link.send({ t: 'guild', setting });
      }
    }
    let retried = 0;
    let deadLettered = 0;
    for (const pending of host.inflight.values()) {
      if (pending.attempts >= this.#options.maxAttempts) {
        deadLettered++;
        pending.resolve({ seq: pending.item.seq, ok: false, fault: 'isolate-crash', error: { name: 'SandboxFault', code: 'DEAD_LETTER', message: `the sandbox host died ${pending.attempts} times while running this item (${reason})` }, writes: [], actions: [], logs: [], denials: [] });
      } else {
        retried++;
        this.#dispatch(replacement, pending);
      }
    }
    host.inflight.clear();
    for (const waiter of host.waiting.values()) waiter({ t: 'loaded', id: -1, ok: false, error: `sandbox host ${reason}` });
    this.#options.logger.error({ host: host.index, reason, retried, deadLettered }, 'sandbox host replaced');
    this.#options.onHostReplaced?.({ index: host.index, reason, retried, deadLettered });
  }

  /** Process ids of the sandbox hosts (the runner's own pid in development mode). */
  get pids(): number[] {
    return this.#hosts.map((h) => h.link.pid);
  }

  async stats(): Promise<HostStats[]> {
    return Promise.all(this.#hosts.map(async (h) => (await this.#request<Extract<FromHost, { t: 'stats' }>>(h, (id) => ({ t: 'stats', id }))).stats));
  }

  /** Stop taking work, wait for in-flight items (up to `deadlineMs`), then stop the hosts. */
  async close(deadlineMs = 5000): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    const until = Date.now() + deadlineMs;
    while (this.#hosts.some((h) => h.inflight.size > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.#hosts.map((h) => h.chain));
    for (const host of this.#hosts) {
      host.closed = true;
      host.link.send({ t: 'close' });
      setTimeout(() => host.link.kill(), 1000).unref();
    }
  }
}
