import type { CommandInteraction, PluginEventName, SlashCommand } from '@townesdev/plugin-contract';
import type { Logger } from 'pino';
import type { ActionSink } from './actions/action-sink.ts';
import type { CommandOutcome, DispatchReport } from './bus/event-bus.ts';
import { EventBus } from './bus/event-bus.ts';
import { PluginGate } from './bus/plugin-gate.ts';
import { ResultHandler } from './bus/result-handler.ts';
import { CommandRegistry } from './commands/command-registry.ts';
import type { Enablement, PluginInstall } from './lifecycle/enablement.ts';
import { GuildTable } from './lifecycle/enablement.ts';
import { GuildLifecycle } from './lifecycle/guild-lifecycle.ts';
import { ImageCatalog } from './lifecycle/image-catalog.ts';
import { PluginMigrator } from './migrations/plugin-migrator.ts';
import type { BundleSource } from './plugin/plugin-bundle.ts';
import type { IncidentSink, QuarantineRecord, QuarantineStore } from './quarantine/incident.ts';
import { QuarantineBook } from './quarantine/quarantine-book.ts';
import { releaseFreedHeap } from './sandbox/heap-relief.ts';
import { SandboxPool } from './sandbox/sandbox-pool.ts';
import type { HostStats } from './sandbox/sandbox-protocol.ts';
import type { PluginStore } from './storage/plugin-store.ts';

export interface KernelOptions {
  store: PluginStore;
  quarantine: QuarantineStore;
  incidents: IncidentSink;
  actions: ActionSink;
  bundles: BundleSource;
  logger: Logger;
  /** Sandbox host processes; 0 runs plugins inside this process (development only). */
  sandboxHosts: number;
  /** Called when a guild's slash command set changed (and only then). */
  onCommandsChanged?(guildId: string, commands: SlashCommand[]): void;
}

/**
 * The kernel: loads plugin versions into sandboxes, enables them per guild, delivers events and
 * commands to them, and stops the ones that misbehave. It knows nothing of HTTP, billing or the
 * registry: bundles, stores and sinks come in through the interfaces in KernelOptions.
 */
export class Kernel {
  readonly #pool: SandboxPool;
  readonly #images: ImageCatalog;
  readonly #table = new GuildTable();
  readonly #commands = new CommandRegistry();
  readonly #quarantine: QuarantineBook;
  readonly #lifecycle: GuildLifecycle;
  readonly #bus: EventBus;
  readonly #gate = new PluginGate();
  readonly #logger: Logger;

  private constructor(options: KernelOptions, pool: SandboxPool) {
    this.#logger = options.logger;
    this.#pool = pool;
    this.#images = new ImageCatalog(this.#pool, options.bundles);
    this.#quarantine = new QuarantineBook(options.quarantine, options.incidents, options.logger.child({ component: 'quarantine' }));
    this.#lifecycle = new GuildLifecycle({
      pool: this.#pool,
      gate: this.#gate,
      images: this.#images,
      table: this.#table,
      commands: this.#commands,
      migrator: new PluginMigrator(this.#pool, options.store),
      quarantine: this.#quarantine,
      onCommandsChanged: (guildId, commands) => options.onCommandsChanged?.(guildId, commands),
    });
    const results = new ResultHandler({
      logger: options.logger,
      actions: options.actions,
      incidents: options.incidents,
      quarantine: this.#quarantine,
      onQuarantine: (e, everywhere) => {
        const affected = everywhere ? this.#table.usersOf(e.key) : [e];
        // Only where the quarantined version is still the one running: a guild may have moved on.
        for (const u of affected) if (this.#table.get(u.guildId, u.plugin)?.key === e.key) void this.#lifecycle.suspend(u.guildId, u.plugin, e.key);
      },
    });
    this.#bus = new EventBus({ pool: this.#pool, table: this.#table, commands: this.#commands, quarantine: this.#quarantine, results, gate: this.#gate });
  }

  static async start(options: KernelOptions): Promise<Kernel> {
    const pool = await SandboxPool.start({
      hosts: options.sandboxHosts,
      store: options.store,
      logger: options.logger.child({ component: 'sandbox' }),
      onHostReplaced: (info) => {
        void options.incidents
          .record({ plugin: '*', version: '*', guildId: null, severity: 'warning', kind: 'host-replaced', message: `sandbox host ${info.index} ${info.reason}; ${info.retried} items retried, ${info.deadLettered} dead-lettered`, at: new Date() })
          .catch(() => {});
      },
    });
    const kernel = new Kernel(options, pool);
    await kernel.#quarantine.restore();
    return kernel;
  }

  /** Enable a plugin version for a guild (or change its version, config or grant). */
  enable(guildId: string, install: PluginInstall): Promise<Enablement> {
    return this.#lifecycle.enable(guildId, install);
  }

  configure(guildId: string, plugin: string, config: unknown): Promise<Enablement> {
    return this.#lifecycle.configure(guildId, plugin, config);
  }

  disable(guildId: string, plugin: string): Promise<boolean> {
    return this.#lifecycle.disable(guildId, plugin);
  }

  /** Reconcile a guild with its desired state (start-up rehydration, change notices). */
  applyGuild(guildId: string, desired: readonly PluginInstall[]): Promise<Array<{ plugin: string; error: string }>> {
    return this.#lifecycle.apply(guildId, desired);
  }

  dispatch(guildId: string, event: PluginEventName, payload: string | object, eventId: string): Promise<DispatchReport> {
    return this.#bus.dispatch(guildId, event, payload, eventId);
  }

  command(interaction: CommandInteraction): Promise<CommandOutcome> {
    return this.#bus.command(interaction);
  }

  commands(guildId: string): SlashCommand[] {
    return this.#commands.forGuild(guildId);
  }

  enabled(guildId: string): Enablement[] {
    return [...this.#table.forGuild(guildId)];
  }

  quarantines(): QuarantineRecord[] {
    return this.#quarantine.list();
  }

  liftQuarantine(plugin: string, version: string, guildId: string | null): Promise<boolean> {
    return this.#quarantine.lift(plugin, version, guildId);
  }

  sandboxStats(): Promise<HostStats[]> {
    return this.#pool.stats();
  }

  /**
   * Give the memory a burst left behind back to the system, in this process and in every sandbox
   * host (two full collections each, about 100 ms at 10,000 guilds, pausing whatever runs). The
   * runner's MemoryUpkeep calls it at quiet moments; it returns the hosts' figures afterwards.
   */
  async relieveMemory(): Promise<HostStats[]> {
    const [stats] = await Promise.all([this.#pool.stats({ relieve: true }), releaseFreedHeap()]);
    return stats;
  }

  get sandboxPids(): number[] {
    return this.#pool.pids;
  }

  /** Stop taking events, let in-flight work finish within the deadline, stop the sandbox hosts. */
  async shutdown(deadlineMs = 10_000): Promise<void> {
    this.#bus.stop();
    const left = await this.#bus.drain(deadlineMs);
    if (left > 0) this.#logger.warn({ left }, 'shutdown deadline passed with events still running');
    await this.#pool.close(Math.max(0, deadlineMs / 2));
  }
}
