import type { Intent } from '@townesdev/plugin-contract';
import type { ChatInputCommandInteraction, GuildMember, Message, PartialGuildMember } from 'discord.js';
import { Client, Events, GatewayIntentBits, Options, Partials, Status } from 'discord.js';
import type { Logger } from 'pino';
import type { CommandOutcome, DispatchReport } from '../bus/event-bus.ts';
import type { CommandInteraction, PluginEventName } from '@townesdev/plugin-contract';
import { commandPayload, memberAddPayload, memberEventId, memberRemovePayload, messageEventId, messagePayload } from './event-payloads.ts';
import { respondToCommand } from './interaction-responder.ts';
import type { RunnerMetrics, ShardStatus } from './runner-metrics.ts';

/** The part of the kernel the adapter feeds. */
export interface EventTarget {
  dispatch(guildId: string, event: PluginEventName, payload: string | object, eventId: string): Promise<DispatchReport>;
  command(interaction: CommandInteraction): Promise<CommandOutcome>;
}

export interface GatewayAdapterOptions {
  token: string;
  /** Discord's REST base (`DISCORD_API_BASE`); the gateway URL comes from `GET /gateway/bot` there. */
  apiBase: string;
  /** The union of the enabled plugins' intents (Guilds is always added). */
  intents: readonly Intent[];
  /** Which shards this process runs (`'auto'`: as many as Discord recommends, all here). */
  shards?: number[] | 'auto';
  /** The total number of shards across every process (needed with an explicit `shards` list). */
  shardCount?: number;
  kernel: EventTarget;
  metrics: RunnerMetrics;
  logger: Logger;
  /**
   * discord.js's client-side cap on REST requests per second across all routes: Discord's global
   * limit, 50 for most bots (the default). Only a larger bot, or a benchmark against the simulator, raises it.
   */
  globalRequestsPerSecond?: number;
  /** Called once every shard is ready, with the application id (for command registration). */
  onReady?(applicationId: string): void;
}

/** discord.js's intent bits for the manifest's intent names. */
export function intentBits(intents: readonly Intent[]): number {
  let bits = GatewayIntentBits.Guilds as number;
  for (const intent of intents) bits |= GatewayIntentBits[intent];
  return bits;
}

/**
 * The runner's discord.js client: connects its shards, turns gateway events into the kernel's
 * events (with stable ids) and slash commands into kernel commands whose replies go out at once.
 * Messages are not cached (plugins get each message once; a cache would only grow).
 */
export class GatewayAdapter {
  readonly client: Client;
  readonly #o: GatewayAdapterOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  #taking = true;

  constructor(options: GatewayAdapterOptions) {
    this.#o = options;
    this.client = new Client({
      intents: intentBits(options.intents),
      partials: [Partials.GuildMember, Partials.User],
      rest: { api: options.apiBase, ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}) },
      shards: options.shards ?? 'auto',
      ...(options.shardCount !== undefined ? { shardCount: options.shardCount } : {}),
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    });
    // REST works before the gateway connects: the action queue resumes before the shards do.
    this.client.rest.setToken(options.token);
    this.client.on(Events.MessageCreate, (m) => this.#message(m));
    this.client.on(Events.GuildMemberAdd, (m) => this.#memberAdd(m));
    this.client.on(Events.GuildMemberRemove, (m) => this.#memberRemove(m));
    this.client.on(Events.InteractionCreate, (i) => {
      if (i.isChatInputCommand()) this.#command(i);
    });
    this.client.on(Events.ShardResume, (id, replayed) => options.logger.info({ shard: id, replayed }, 'shard resumed'));
    // Discord asks shards to reconnect routinely (and a shutdown closes them): not a warning
    this.client.on(Events.ShardReconnecting, (id) => options.logger.info({ shard: id }, 'shard reconnecting'));
    this.client.on(Events.ShardError, (err, id) => options.logger.warn({ err, shard: id }, 'shard error'));
    this.client.on(Events.Error, (err) => options.logger.error({ err }, 'discord client error'));
  }

  /** Log in and wait until every shard of this process is ready. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.#o.token);
    await ready;
    this.#o.onReady?.(this.client.application?.id ?? this.client.user?.id ?? '');
  }

  /** Stop taking gateway events (SIGTERM): what arrives from now on is ignored. */
  stop(): void {
    this.#taking = false;
  }

  /** Wait for the events and commands already taken, up to the deadline; returns how many were left. */
  async drain(deadlineMs: number): Promise<number> {
    const until = Date.now() + deadlineMs;
    while (this.#inFlight.size > 0 && Date.now() < until) await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((r) => setTimeout(r, Math.max(1, until - Date.now())))]);
    return this.#inFlight.size;
  }

  async destroy(): Promise<void> {
    await this.client.destroy();
  }

  shardStatus(): ShardStatus[] {
    const counts = new Map<number, number>();
    for (const guild of this.client.guilds.cache.values()) counts.set(guild.shardId, (counts.get(guild.shardId) ?? 0) + 1);
    return [...this.client.ws.shards.values()].map((s) => ({ id: s.id, status: Status[s.status] ?? String(s.status), pingMs: s.ping, guilds: counts.get(s.id) ?? 0 }));
  }

  #track(work: Promise<unknown>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  #dispatch(guildId: string, event: PluginEventName, payload: object, eventId: string): void {
    this.#o.metrics.event(event, guildId);
    this.#track(
      this.#o.kernel.dispatch(guildId, event, payload, eventId).then(
        (report) => {
          if (report.refused) this.#o.metrics.events.refused++;
          for (const o of report.outcomes) if (!o.ok) this.#o.metrics.events.failed++;
        },
        (err: unknown) => {
          this.#o.metrics.events.failed++;
          this.#o.logger.error({ err, guildId, event }, 'dispatching an event failed');
        },
      ),
    );
  }

  #message(message: Message): void {
    if (!this.#taking || !message.inGuild()) return;
    // The bot's own messages (announcements it just made) would feed plugins their own output.
    if (message.author.id === this.client.user?.id) return;
    this.#dispatch(message.guildId, 'messageCreate', messagePayload(message), messageEventId(message));
  }

  #memberAdd(member: GuildMember): void {
    if (!this.#taking) return;
    this.#dispatch(member.guild.id, 'guildMemberAdd', memberAddPayload(member), memberEventId(member));
  }

  #memberRemove(member: GuildMember | PartialGuildMember): void {
    if (!this.#taking) return;
    this.#dispatch(member.guild.id, 'guildMemberRemove', memberRemovePayload(member), memberEventId(member));
  }

  #command(interaction: ChatInputCommandInteraction): void {
    if (!this.#taking || !interaction.inGuild()) return;
    const metrics = this.#o.metrics;
    metrics.commands.total++;
    this.#track(
      respondToCommand(interaction, this.#o.kernel.command(commandPayload(interaction))).then(
        ({ outcome, deferred }) => {
          metrics.commands.replied++;
          if (deferred) metrics.commands.deferred++;
          if (!outcome?.ok) metrics.commands.failed++;
        },
        (err: unknown) => {
          metrics.commands.failed++;
          this.#o.logger.error({ err, guildId: interaction.guildId, command: interaction.commandName }, 'answering a command failed');
        },
      ),
    );
  }
}
