import type { Intent } from '@townesdev/plugin-contract';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Kernel } from '../kernel.ts';
import type { KernelOptions } from '../kernel.ts';
import { ActionQueue } from './action-queue.ts';
import { startActionWorker } from './action-worker.ts';
import { CommandSync } from './command-sync.ts';
import { DeliveryLedger } from './delivery-ledger.ts';
import { DesiredStateSync } from './desired-state-sync.ts';
import { MemoryUpkeep } from './memory-upkeep.ts';
import type { DesiredStateSource, GuildChangeFeed } from './desired-state-sync.ts';
import { DiscordActionSink } from './discord-action-sink.ts';
import { DiscordActions } from './discord-actions.ts';
import { DiscordGuildDirectory } from './discord-guild-directory.ts';
import { GatewayAdapter } from './gateway-adapter.ts';
import type { HealthServer } from './health-server.ts';
import { startHealthServer } from './health-server.ts';
import { IntentWatch } from './intent-watch.ts';
import { PermissionIncidents } from './permission-incidents.ts';
import type { RunnerIncidentReporter } from './permission-incidents.ts';
import { bullConnection } from './redis-connection.ts';
import { RunnerMetrics } from './runner-metrics.ts';
import { shardOf } from './shard-layout.ts';
import { UsageReporter, type UsageSink } from './usage-reporter.ts';

export interface RunnerOptions {
  discord: {
    token: string;
    apiBase: string;
    /** Shards of this process (default: all, as many as Discord recommends). */
    shards?: number[];
    /** Total shards across every runner process; required with `shards`. */
    shardCount?: number;
    /** REST requests per second across all routes (Discord's global limit; default 50). */
    globalRequestsPerSecond?: number;
  };
  redisUrl: string;
  /** The deployment's Redis key prefix (`townes:`); the queue, ledger and command digests live under it. */
  redisPrefix: string;
  /** The action queue's name. Default `discord-actions`. */
  queueName?: string;
  /** The kernel's stores and bundle source (the registry sync, already verifying). */
  kernel: Omit<KernelOptions, 'actions' | 'onCommandsChanged' | 'logger'>;
  desiredState: DesiredStateSource;
  changes?: GuildChangeFeed;
  prefetch?(refs: Array<{ name: string; version: string }>): Promise<unknown>;
  incidents: RunnerIncidentReporter;
  /** Where per-guild usage (events, delivered actions) goes, every `everyMs` (default 60 s) and on stop. */
  usage?: { sink: UsageSink; everyMs?: number };
  logger: Logger;
  /** `/healthz`, `/readyz`, `/metrics`; omitted: no HTTP server. */
  health?: { port: number; host?: string };
  /** The metrics line in the log; default every 60 s, 0 never. */
  metricsLogEveryMs?: number;
  worker?: { concurrency?: number; lockMs?: number };
  queue?: { highWater?: number; attempts?: number };
  commandDebounceMs?: number;
}

/** Intents every runner asks for even before a plugin needs them: the guild list and its members' joins. */
const BASE_INTENTS: Intent[] = ['Guilds'];

/**
 * The runner: the kernel fed by Discord. Start: desired state from the API → plugins synced and
 * verified → sandboxes warm (the plugins loaded) → the action queue resumed → shards connected.
 * `stop` is the SIGTERM path: stop taking events, finish in-flight ones within the deadline, let
 * the queue worker finish its running jobs, close everything.
 */
export class Runner {
  readonly kernel: Kernel;
  readonly gateway: GatewayAdapter;
  readonly metrics: RunnerMetrics;
  readonly commands: CommandSync;
  readonly desired: DesiredStateSync;
  readonly queue: ActionQueue;
  health: HealthServer | null = null;
  #ready = false;
  #closers: Array<{ what: string; close: () => Promise<unknown> }> = [];
  readonly #logger: Logger;

  private constructor(parts: { kernel: Kernel; gateway: GatewayAdapter; metrics: RunnerMetrics; commands: CommandSync; desired: DesiredStateSync; queue: ActionQueue; logger: Logger }) {
    this.kernel = parts.kernel;
    this.gateway = parts.gateway;
    this.metrics = parts.metrics;
    this.commands = parts.commands;
    this.desired = parts.desired;
    this.queue = parts.queue;
    this.#logger = parts.logger;
  }

  get ready(): boolean {
    return this.#ready;
  }

  static async start(o: RunnerOptions): Promise<Runner> {
    const logger = o.logger;
    const closers: Array<{ what: string; close: () => Promise<unknown> }> = [];
    const closeAll = async () => {
      for (const c of closers.reverse()) await c.close().catch((err: unknown) => logger.warn({ err, what: c.what }, 'closing'));
    };
    try {
      const redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
      await redis.connect();
      closers.push({ what: 'redis', close: async () => redis.disconnect() });
      const metrics = new RunnerMetrics();
      if (o.usage) {
        const usage = new UsageReporter({ sink: o.usage.sink, logger: logger.child({ component: 'usage' }), everyMs: o.usage.everyMs ?? 60_000 });
        metrics.usage = usage;
        closers.push({ what: 'usage report', close: () => usage.stop() });
      }
      const connection = bullConnection(o.redisUrl);
      const queueName = o.queueName ?? 'discord-actions';
      const bullPrefix = `${o.redisPrefix}bull`;
      const queue = new ActionQueue({ connection, name: queueName, prefix: bullPrefix, ...o.queue });
      closers.push({ what: 'queue', close: () => queue.close() });
      metrics.queueDepth = () => queue.lastDepth;

      let gateway: GatewayAdapter | null = null;
      const client = () => {
        if (!gateway) throw new Error('the Discord client is not built yet');
        return gateway.client;
      };
      const sink = new DiscordActionSink({ directory: new DiscordGuildDirectory(client), queue, metrics, logger: logger.child({ component: 'actions' }) });
      const commands = new CommandSync({ redis, prefix: o.redisPrefix, logger: logger.child({ component: 'commands' }), ...(o.commandDebounceMs !== undefined ? { debounceMs: o.commandDebounceMs } : {}) });
      closers.push({ what: 'command sync', close: async () => commands.close() });
      const kernel = await Kernel.start({ ...o.kernel, actions: sink, logger, onCommandsChanged: (guildId, list) => commands.changed(guildId, list) });
      closers.push({ what: 'kernel', close: () => kernel.shutdown(2000) });

      // desired state, plugins synced (prefetch) and loaded into the sandboxes
      const shardCount = o.discord.shardCount;
      const myShards = o.discord.shards;
      const owns = myShards && shardCount ? (guildId: string) => myShards.includes(shardOf(guildId, shardCount)) : undefined;
      const intentWatch = new IntentWatch({ logger: logger.child({ component: 'intents' }), incidents: o.incidents });
      const applyAndWatch = {
        applyGuild: async (guildId: string, installs: Parameters<Kernel['applyGuild']>[1]) => {
          const failures = await kernel.applyGuild(guildId, installs);
          intentWatch.check(guildId, kernel.enabled(guildId));
          return failures;
        },
      };
      const desired = new DesiredStateSync({ kernel: applyAndWatch, source: o.desiredState, logger: logger.child({ component: 'desired-state' }), ...(owns ? { owns } : {}), ...(o.prefetch ? { prefetch: o.prefetch } : {}) });
      if (o.changes) {
        const unsubscribe = await o.changes.subscribe((guildId) => void desired.syncGuild(guildId), () => void desired.resync().catch((err: unknown) => logger.error({ err }, 'resync after reconnect failed')));
        closers.push({ what: 'change notices', close: unsubscribe });
      }
      const failures = await desired.syncAll();
      logger.info({ guilds: desired.guilds.size, failures: failures.length }, 'desired state applied');

      // the intents the enabled plugins need, fixed for this connection
      const intents = new Set<Intent>(BASE_INTENTS);
      for (const guildId of desired.guilds) for (const e of kernel.enabled(guildId)) for (const i of e.manifest.discord.intents) intents.add(i);
      intentWatch.connectedWith(intents);
      gateway = new GatewayAdapter({
        token: o.discord.token,
        apiBase: o.discord.apiBase,
        intents: [...intents],
        ...(myShards ? { shards: myShards } : {}),
        ...(shardCount !== undefined ? { shardCount } : {}),
        ...(o.discord.globalRequestsPerSecond ? { globalRequestsPerSecond: o.discord.globalRequestsPerSecond } : {}),
        kernel,
        metrics,
        logger: logger.child({ component: 'gateway' }),
        onReady: (applicationId) => commands.connect(applicationId, client().rest),
      });
      const adapter = gateway;
      closers.push({ what: 'discord client', close: () => adapter.destroy() });
      metrics.shards = () => adapter.shardStatus();

      // resume the queue: jobs left by a previous run are performed now
      const actions = new DiscordActions(adapter.client.rest);
      const worker = startActionWorker({
        connection,
        name: queueName,
        prefix: bullPrefix,
        ...o.worker,
        perform: (a) => actions.perform(a),
        ledger: new DeliveryLedger(redis, o.redisPrefix),
        incidents: new PermissionIncidents({ redis, prefix: o.redisPrefix, reporter: o.incidents, logger: logger.child({ component: 'incidents' }) }),
        metrics,
        logger: logger.child({ component: 'action-worker' }),
      });
      void worker.run();
      closers.push({ what: 'action worker', close: () => worker.close() });

      await adapter.start();
      const runner = new Runner({ kernel, gateway: adapter, metrics, commands, desired, queue, logger });
      runner.#closers = closers;
      runner.#worker = worker;
      runner.#ready = true;
      if (o.health) {
        runner.health = await startHealthServer(
          { live: () => true, ready: () => runner.#readiness(), metrics: () => metrics.snapshot() },
          o.health.port,
          o.health.host,
        );
        const health = runner.health;
        closers.push({ what: 'health server', close: () => health.close() });
      }
      const every = o.metricsLogEveryMs ?? 60_000;
      if (every > 0) {
        const timer = setInterval(() => {
          void queue.depth().catch(() => null);
          logger.info({ metrics: metrics.snapshot() }, 'runner metrics');
        }, every);
        timer.unref();
        closers.push({ what: 'metrics log', close: async () => clearInterval(timer) });
      }
      const upkeep = new MemoryUpkeep({ relieve: () => kernel.relieveMemory(), stats: () => kernel.sandboxStats(), logger: logger.child({ component: 'memory' }) });
      closers.push({ what: 'memory upkeep', close: async () => upkeep.stop() });
      runner.#upkeep = upkeep;
      // Its first check, minutes from now, gives back what loading every guild left behind.
      upkeep.start();
      logger.info({ shards: adapter.shardStatus(), intents: [...intents] }, 'runner ready');
      return runner;
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  #worker: ReturnType<typeof startActionWorker> | null = null;
  #upkeep: MemoryUpkeep | null = null;

  #readiness(): { ready: boolean; reason?: string } {
    if (!this.#ready) return { ready: false, reason: 'starting or stopping' };
    const down = this.gateway.shardStatus().filter((s) => s.status !== 'Ready');
    return down.length === 0 ? { ready: true } : { ready: false, reason: `shard(s) ${down.map((s) => `${s.id} ${s.status}`).join(', ')}` };
  }

  /**
   * SIGTERM: stop taking events, let the events and commands already taken finish (their actions
   * reach the queue), let the worker finish the jobs it is running, then close. Jobs still waiting
   * stay in Redis for the next start. Within `deadlineMs` overall.
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    const left = () => Math.max(0, until - Date.now());
    this.#ready = false;
    // Before the kernel closes its hosts, so no memory check asks them for figures meanwhile.
    this.#upkeep?.stop();
    this.gateway.stop();
    const undrained = await this.gateway.drain(left() * 0.6);
    if (undrained > 0) this.#logger.warn({ undrained }, 'stopping with events still in flight');
    await this.kernel.shutdown(left() * 0.5);
    await Promise.race([this.commands.flush(), new Promise((r) => setTimeout(r, Math.min(1000, left())))]);
    if (this.#worker) {
      const worker = this.#worker;
      await Promise.race([worker.close(), new Promise((r) => setTimeout(r, left()))]);
      await worker.close(true);
    }
    for (const c of this.#closers.reverse()) {
      if (c.what === 'kernel' || c.what === 'action worker') continue;
      await c.close().catch((err: unknown) => this.#logger.warn({ err, what: c.what }, 'closing'));
    }
    this.#logger.info({ metrics: this.metrics.snapshot() }, 'runner stopped');
  }
}
