import type { CommandInteraction, CommandOptionValue, DiscordUser, GuildMemberAddEvent, GuildMemberRemoveEvent, MessageCreateEvent } from '@townesdev/plugin-contract';
import type { CommandOutcome, DispatchReport, Enablement, Kernel, PluginAction } from '@townesdev/kernel';
import { nextSnowflake } from './simulated-ids.ts';

export interface UserInput {
  id?: string;
  username: string;
  bot?: boolean;
  globalName?: string | null;
}

export interface EventResult {
  ok: boolean;
  error?: string;
  fault?: string;
  actions: PluginAction[];
  report: DispatchReport;
}

export interface CommandResult {
  ok: boolean;
  error?: string;
  reply: CommandOutcome['reply'];
  actions: PluginAction[];
}

function user(input: UserInput): DiscordUser {
  return { id: input.id ?? nextSnowflake(), username: input.username, globalName: input.globalName ?? null, bot: input.bot ?? false };
}

/**
 * One simulated guild with the plugin under test enabled. Each call builds the event a runner
 * would build from Discord's gateway and sends it through the real kernel and sandbox.
 */
export class SimulatedGuild {
  readonly id: string;
  readonly name: string;
  memberCount: number;
  readonly #kernel: Kernel;
  readonly #plugin: string;

  constructor(kernel: Kernel, plugin: string, init: { id: string; name: string; memberCount: number }) {
    this.#kernel = kernel;
    this.#plugin = plugin;
    this.id = init.id;
    this.name = init.name;
    this.memberCount = init.memberCount;
  }

  #summarise(report: DispatchReport): EventResult {
    const mine = report.outcomes.find((o) => o.plugin === this.#plugin);
    if (!mine) return { ok: false, error: report.refused ?? 'the plugin did not receive the event (not enabled, not subscribed, or quarantined)', actions: [], report };
    return { ok: mine.ok, ...(mine.error ? { error: mine.error } : {}), ...(mine.fault ? { fault: mine.fault } : {}), actions: mine.actions, report };
  }

  async memberAdd(input: { user: UserInput; joinedAt?: string }): Promise<EventResult> {
    this.memberCount++;
    const event: GuildMemberAddEvent = { guild: { id: this.id, name: this.name, memberCount: this.memberCount }, user: user(input.user), joinedAt: input.joinedAt ?? new Date().toISOString() };
    return this.#summarise(await this.#kernel.dispatch(this.id, 'guildMemberAdd', event, `${event.user.id}:${event.joinedAt}`));
  }

  async memberRemove(input: { user: UserInput }): Promise<EventResult> {
    this.memberCount = Math.max(0, this.memberCount - 1);
    const event: GuildMemberRemoveEvent = { guild: { id: this.id, name: this.name, memberCount: this.memberCount }, user: user(input.user) };
    return this.#summarise(await this.#kernel.dispatch(this.id, 'guildMemberRemove', event, `${event.user.id}:${nextSnowflake()}`));
  }

  async message(input: { authorId?: string; username?: string; bot?: boolean; channelId?: string; content: string; createdAt?: string; memberRoles?: string[] }): Promise<EventResult> {
    const event: MessageCreateEvent = {
      id: nextSnowflake(),
      guildId: this.id,
      channelId: input.channelId ?? '100000000000000001',
      author: user({ id: input.authorId, username: input.username ?? 'member', bot: input.bot }),
      memberRoles: input.memberRoles ?? [],
      content: input.content,
      createdAt: input.createdAt ?? new Date().toISOString(),
    };
    return this.#summarise(await this.#kernel.dispatch(this.id, 'messageCreate', event, event.id));
  }

  async command(name: string, input: { userId?: string; username?: string; channelId?: string; subcommand?: string; options?: Record<string, CommandOptionValue>; memberRoles?: string[] } = {}): Promise<CommandResult> {
    const interaction: CommandInteraction = {
      id: nextSnowflake(),
      guildId: this.id,
      channelId: input.channelId ?? '100000000000000001',
      user: user({ id: input.userId, username: input.username ?? 'member' }),
      memberRoles: input.memberRoles ?? [],
      commandName: name,
      subcommand: input.subcommand ?? null,
      options: input.options ?? {},
    };
    const outcome = await this.#kernel.command(interaction);
    return { ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), reply: outcome.reply, actions: outcome.actions };
  }

  /** Change the plugin's config for this guild (validated like an admin's change). */
  configure(config: unknown): Promise<Enablement> {
    return this.#kernel.configure(this.id, this.#plugin, config);
  }

  disable(): Promise<boolean> {
    return this.#kernel.disable(this.id, this.#plugin);
  }
}
