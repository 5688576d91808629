import type { Logger } from 'pino';
import type { PluginStore } from '../storage/plugin-store.ts';
import type { HostLink } from './host-link.ts';
import { ChildHostLink } from './host-link.ts';
import type { HandlerNames } from './plugin-isolate.ts';
import { PoolStorage } from './pool-storage.ts';
import type { Host, Pending } from './pool-host.ts';
import { deadLetter, newHost } from './pool-host.ts';
import type { FromHost, GuildSetting, HostStats, ItemResult, PluginImage, ToHost, WorkItem } from './sandbox-protocol.ts';

export interface SandboxPoolOptions {
  /** Number of sandbox host processes; 0 runs one host inside this process (development). */
  hosts: number;
  store: PluginStore;
  logger: Logger;
  heartbeatMs?: number;
  hostMaxOldSpaceMb?: number;
  onHostReplaced?(info: { index: number; reason: string; retried: number; deadLettered: number }): void;
}

let requestIds = 0;

/**
 * The runner's side of the sandbox: a small pool of sandbox host processes, supervised. Every
 * host carries one isolate per loaded plugin version; each guild is served by one host, so that
 * host's data cache stays coherent. A host that exits or stops answering heartbeats is replaced
 * and its plugins reloaded. The items it had in flight run again one at a time: an item that
 * kills a host again while running alone is the culprit and is dead-lettered; nothing is dropped
 * and nobody else is blamed.
 */
export class SandboxPool {
  readonly #options: Required<Omit<SandboxPoolOptions, 'onHostReplaced'>> & Pick<SandboxPoolOptions, 'onHostReplaced'>;
  readonly #storage: PoolStorage;
  readonly #hosts: Host[] = [];
  readonly #images = new Map<string, PluginImage>();
  readonly #settings = new Map<string, Map<string, GuildSetting>>();
  #seq = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  /**
   * Start the pool. Development mode (`hosts: 0`) loads the in-process host only then: a runner
   * with host processes never loads isolated-vm or the sandbox's code itself (14 MB of RSS).
   */
  static async start(options: SandboxPoolOptions): Promise<SandboxPool> {
    if (options.hosts > 0) return new SandboxPool(options, null);
    const { InProcessHostLink } = await import('./in-process-host-link.ts');
    return new SandboxPool(options, () => new InProcessHostLink());
  }

  readonly #inProcessLink: (() => HostLink) | null;

  private constructor(options: SandboxPoolOptions, inProcessLink: (() => HostLink) | null) {
    this.#inProcessLink = inProcessLink;
    this.#options = { heartbeatMs: 1000, hostMaxOldSpaceMb: 512, ...options };
    this.#storage = new PoolStorage(options.store, options.logger);
    const count = Math.max(1, options.hosts);
    for (let i = 0; i < count; i++) this.#hosts.push(this.#spawn(i));
    this.#heartbeat = setInterval(() => this.#checkHeartbeats(), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  #spawn(index: number): Host {
    const link = this.#inProcessLink?.() ?? new ChildHostLink({ maxOldSpaceMb: this.#options.hostMaxOldSpaceMb });
    const host = newHost(index, link);
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

  #request<T extends FromHost>(host: Host, build: (id: number) => ToHost, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = ++requestIds;
      const timer = setTimeout(() => {
        host.waiting.delete(id);
        reject(new Error(`sandbox host ${host.index} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        host.waiting.delete(id);
        fn();
      };
      host.waiting.set(id, { resolve: (m) => settle(() => resolve(m as T)), reject: (e) => settle(() => reject(e)) });
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
    if (!this.#images.delete(key)) return;
    this.#settings.delete(key);
    for (const host of this.#hosts) host.link.send({ t: 'unload', key });
  }

  setGuild(setting: GuildSetting): void {
    if (!this.#images.has(setting.plugin)) throw new Error(`plugin ${setting.plugin} is not loaded`);
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
    return new Promise((resolve) => {
      const pending: Pending = { item, image: { name: image.name, version: image.version }, crashes: 0, received: false, resolve };
      const host = this.#hostFor(item.guildId);
      if (host.solo || host.recovering.length > 0) host.held.push(pending);
      else this.#send(host, pending);
    });
  }

  #send(host: Host, pending: Pending): void {
    host.inflight.set(pending.item.seq, pending);
    host.outbox.push(pending.item);
    if (host.outbox.length > 1) return;
    setImmediate(() => {
      const items = host.outbox;
      host.outbox = [];
      if (items.length > 0) host.link.send({ t: 'submit', items });
    });
  }

  /** After a crash: run the next suspect alone, or, when none is left, release what was held. */
  #recover(host: Host): void {
    if (host.solo || host.closed || host.reloading > 0) return;
    const next = host.recovering.shift();
    if (next) {
      host.solo = next;
      this.#send(host, next);
      return;
    }
    const held = host.held;
    host.held = [];
    for (const pending of held) this.#send(host, pending);
  }

  #onMessage(host: Host, message: FromHost): void {
    switch (message.t) {
      case 'results': {
        for (const result of message.results) {
          const pending = host.inflight.get(result.seq);
          if (pending) pending.received = true;
        }
        host.chain = this.#chain(host, async () => {
          await this.#storage.commit(host.link, message.results, (seq) => host.inflight.get(seq));
          for (const result of message.results) {
            const pending = host.inflight.get(result.seq);
            host.inflight.delete(result.seq);
            pending?.resolve(result);
            if (pending && host.solo === pending) {
              host.solo = null;
              this.#recover(host);
            }
          }
        });
        break;
      }
      case 'storage':
        host.chain = this.#chain(host, () => this.#storage.serve(host.link, message));
        break;
      default:
        if (message.t === 'pong') host.lastPong = Date.now();
        host.waiting.get(message.id)?.resolve(message);
    }
  }

  /** Queue storage work for a host; a failure is logged and never stops the work queued after it. */
  #chain(host: Host, work: () => Promise<void>): Promise<void> {
    return host.chain.then(work).catch((error: unknown) => this.#options.logger.error({ err: error, host: host.index }, 'sandbox storage work failed'));
  }

  #checkHeartbeats(): void {
    const deadline = Date.now() - 5 * this.#options.heartbeatMs;
    for (const host of this.#hosts) {
      if (host.closed) continue;
      // A replacement busy loading plugins answers late; each load has its own time limit.
      if (host.reloading > 0) host.lastPong = Date.now();
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
    // Reads of the new host wait for the old host's commits.
    replacement.chain = host.chain;
    for (const image of this.#images.values()) {
      replacement.reloading++;
      this.#request<Extract<FromHost, { t: 'loaded' }>>(replacement, (id) => ({ t: 'load', id, image }))
        .then(
          (reply) => {
            if (!reply.ok) this.#options.logger.error({ host: host.index, plugin: image.key, error: reply.error }, 'a replacement sandbox host could not load a plugin');
          },
          (error: unknown) => this.#options.logger.error({ err: error, host: host.index, plugin: image.key }, 'a replacement sandbox host could not load a plugin'),
        )
        .finally(() => {
          // The suspects run only once every plugin is back, so a slow reload is not their fault.
          replacement.reloading--;
          replacement.lastPong = Date.now();
          this.#recover(replacement);
        });
      for (const setting of this.#settings.get(image.key)?.values() ?? []) {
        if (this.#hostFor(setting.guildId) === replacement) replacement.link.send({ t: 'guild', setting });
      }
    }
    const suspects: Pending[] = [];
    let deadLettered = 0;
    for (const pending of [...host.inflight.values()]) {
      if (pending.received) continue; // its result is being committed on the old chain
      host.inflight.delete(pending.item.seq);
      pending.crashes++;
      if (pending === host.solo && pending.crashes >= 2) {
        deadLettered++;
        pending.resolve(deadLetter(pending, reason));
      } else {
        suspects.push(pending);
      }
    }
    replacement.recovering = [...suspects, ...host.recovering];
    replacement.held = host.held;
    for (const waiter of host.waiting.values()) waiter.reject(new Error(`sandbox host ${host.index} ${reason}`));
    this.#recover(replacement);
    const retried = replacement.recovering.length + (replacement.solo ? 1 : 0);
    this.#options.logger.error({ host: host.index, reason, retried, deadLettered }, 'sandbox host replaced');
    this.#options.onHostReplaced?.({ index: host.index, reason, retried, deadLettered });
  }

  /** Process ids of the sandbox hosts (the runner's own pid in development mode). */
  get pids(): number[] {
    return this.#hosts.map((h) => h.link.pid);
  }

  /** Each host's figures; with `relieve`, after it gave its freed memory back to the system. */
  async stats(options: { relieve?: boolean } = {}): Promise<HostStats[]> {
    const relieve = options.relieve === true;
    return Promise.all(this.#hosts.map(async (h) => (await this.#request<Extract<FromHost, { t: 'stats' }>>(h, (id) => ({ t: 'stats', id, relieve }))).stats));
  }

  /** Stop taking work, wait for in-flight items (up to `deadlineMs`), then stop the hosts. */
  async close(deadlineMs = 5000): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    const until = Date.now() + deadlineMs;
    const busy = () => this.#hosts.some((h) => h.inflight.size > 0 || h.held.length > 0 || h.recovering.length > 0);
    while (busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.#hosts.map((h) => h.chain));
    for (const host of this.#hosts) {
      host.closed = true;
      host.link.send({ t: 'close' });
      setTimeout(() => host.link.kill(), 1000).unref();
    }
  }
}
