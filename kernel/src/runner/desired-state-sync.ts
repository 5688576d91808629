import type { Logger } from 'pino';
import type { PluginInstall } from '../lifecycle/enablement.ts';

/** One plugin as the control plane wants it in a guild. */
export interface DesiredPlugin {
  plugin: string;
  version: string;
  enabled: boolean;
  config: unknown;
  grants: readonly string[];
}

/**
 * Where desired state comes from. The binary implements it over the API's runner routes; the
 * kernel knows nothing of HTTP.
 */
export interface DesiredStateSource {
  /** Every guild that has plugins installed. */
  guilds(): Promise<string[]>;
  desiredState(guildId: string): Promise<{ plugins: DesiredPlugin[] }>;
}

/** The notices that a guild's desired state changed (Redis pub/sub in production). */
export interface GuildChangeFeed {
  /** `onResync` runs after every (re)connection, when notices may have been missed. Returns the unsubscribe. */
  subscribe(onGuild: (guildId: string) => void, onResync: () => void): Promise<() => Promise<void>>;
}

export interface DesiredStateSyncOptions {
  kernel: { applyGuild(guildId: string, desired: readonly PluginInstall[]): Promise<Array<{ plugin: string; error: string }>> };
  source: DesiredStateSource;
  /** Whether this runner process serves the guild (its shards); default every guild. */
  owns?(guildId: string): boolean;
  /** Fetch and verify the bundles before the kernel loads them (the registry sync), so a start loads in parallel. */
  prefetch?(refs: Array<{ name: string; version: string }>): Promise<unknown>;
  logger: Logger;
  /** Guilds read at once on a full sync. Default 8. */
  concurrency?: number;
}

const toInstalls = (plugins: readonly DesiredPlugin[]): PluginInstall[] =>
  plugins.filter((p) => p.enabled).map((p) => ({ plugin: p.plugin, version: p.version, config: p.config, grants: p.grants }));

/**
 * Brings the kernel to the control plane's desired state: all guilds on start and after a missed
 * notice (Redis reconnect), one guild when a notice names it. A guild is applied by one sync at a
 * time; a notice that arrives meanwhile runs it once more afterwards (not once per notice).
 */
export class DesiredStateSync {
  readonly #o: DesiredStateSyncOptions;
  /** Guilds this process applied, so a guild that left the list is emptied on the next full sync. */
  readonly #known = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** Notices that arrive during the first full sync wait for it (it may read older state). */
  #noticedDuringStart: Set<string> | null = null;
  /** Guild syncs completed (tests and metrics). */
  applied = 0;

  constructor(options: DesiredStateSyncOptions) {
    this.#o = options;
  }

  get guilds(): ReadonlySet<string> {
    return this.#known;
  }

  /** Every guild: read the list, prefetch every bundle, apply each guild. Returns the plugins that failed. */
  async syncAll(): Promise<Array<{ guildId: string; plugin: string; error: string }>> {
    this.#noticedDuringStart = new Set();
    try {
      return await this.#syncAll();
    } finally {
      const noticed = this.#noticedDuringStart;
      this.#noticedDuringStart = null;
      for (const guildId of noticed) void this.syncGuild(guildId);
    }
  }

  async #syncAll(): Promise<Array<{ guildId: string; plugin: string; error: string }>> {
    const owns = this.#o.owns ?? (() => true);
    const listed = (await this.#o.source.guilds()).filter(owns);
    const states = new Map<string, DesiredPlugin[]>();
    await this.#each(listed, async (guildId) => void states.set(guildId, (await this.#o.source.desiredState(guildId)).plugins));
    if (this.#o.prefetch) {
      const refs = new Map<string, { name: string; version: string }>();
      for (const plugins of states.values()) for (const p of plugins) if (p.enabled) refs.set(`${p.plugin}@${p.version}`, { name: p.plugin, version: p.version });
      await this.#o.prefetch([...refs.values()]);
    }
    const failures: Array<{ guildId: string; plugin: string; error: string }> = [];
    const gone = [...this.#known].filter((g) => !states.has(g));
    for (const guildId of gone) states.set(guildId, []);
    await this.#each([...states.keys()], async (guildId) => {
      for (const f of await this.#apply(guildId, states.get(guildId) ?? [])) failures.push({ guildId, ...f });
    });
    return failures;
  }

  /** After a missed notice (Redis reconnect): every listed or known guild again, one at a time per guild. */
  async resync(): Promise<void> {
    const owns = this.#o.owns ?? (() => true);
    const guilds = new Set([...(await this.#o.source.guilds()).filter(owns), ...this.#known]);
    await this.#each([...guilds], (guildId) => this.syncGuild(guildId));
  }

  /** One guild (a change notice). Coalesces: at most one running and one more queued per guild. */
  syncGuild(guildId: string): Promise<void> {
    if (this.#o.owns && !this.#o.owns(guildId)) return Promise.resolve();
    if (this.#noticedDuringStart) {
      this.#noticedDuringStart.add(guildId);
      return Promise.resolve();
    }
    const running = this.#running.get(guildId);
    if (running) {
      this.#again.add(guildId);
      return running;
    }
    const run = (async () => {
      do {
        this.#again.delete(guildId);
        try {
          const { plugins } = await this.#o.source.desiredState(guildId);
          await this.#apply(guildId, plugins);
        } catch (err) {
          this.#o.logger.error({ err, guildId }, 'could not read or apply the guild\'s desired state');
        }
      } while (this.#again.has(guildId));
    })().finally(() => this.#running.delete(guildId));
    this.#running.set(guildId, run);
    return run;
  }

  /** Wait for guild syncs in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  async #apply(guildId: string, plugins: readonly DesiredPlugin[]): Promise<Array<{ plugin: string; error: string }>> {
    const installs = toInstalls(plugins);
    const failures = await this.#o.kernel.applyGuild(guildId, installs);
    if (installs.length > 0) this.#known.add(guildId);
    else this.#known.delete(guildId);
    this.applied++;
    for (const f of failures) this.#o.logger.warn({ guildId, plugin: f.plugin, error: f.error }, 'a plugin could not be enabled in the guild');
    return failures;
  }

  async #each(items: readonly string[], work: (item: string) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < items.length) await work(items[next++] as string);
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 8, items.length) }, lane));
  }
}
