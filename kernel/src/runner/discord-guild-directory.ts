import type { Client } from 'discord.js';
import { DiscordAPIError, Routes } from 'discord.js';
import type { GuildDirectory } from './guild-directory.ts';

/** Answers from discord.js's caches (filled by GUILD_CREATE and later events), REST on a miss. */
export class DiscordGuildDirectory implements GuildDirectory {
  readonly #clientOf: () => Client;
  /** A channel never changes guild, so a REST answer is kept. */
  readonly #channelGuilds = new Map<string, string | null>();

  /** The client is looked up on use: the runner builds it after the desired state told it the intents. */
  constructor(client: () => Client) {
    this.#clientOf = client;
  }

  get #client(): Client {
    return this.#clientOf();
  }

  async channelGuild(channelId: string): Promise<string | null> {
    const cached = this.#client.channels.cache.get(channelId);
    if (cached) return 'guildId' in cached ? cached.guildId : null;
    if (this.#channelGuilds.has(channelId)) return this.#channelGuilds.get(channelId) ?? null;
    const channel = await this.#fetch<{ guild_id?: string }>(Routes.channel(channelId));
    const guildId = channel?.guild_id ?? null;
    if (channel) this.#channelGuilds.set(channelId, guildId);
    return guildId;
  }

  async hasMember(guildId: string, userId: string): Promise<boolean> {
    if (this.#client.guilds.cache.get(guildId)?.members.cache.has(userId)) return true;
    return (await this.#fetch(Routes.guildMember(guildId, userId))) !== null;
  }

  async hasRole(guildId: string, roleId: string): Promise<boolean> {
    const guild = this.#client.guilds.cache.get(guildId);
    if (guild?.roles.cache.has(roleId)) return true;
    const roles = await this.#fetch<Array<{ id: string }>>(Routes.guildRoles(guildId));
    return roles?.some((r) => r.id === roleId) ?? false;
  }

  /** A REST read; null when Discord says it does not exist or the bot may not see it. */
  async #fetch<T>(route: `/${string}`): Promise<T | null> {
    try {
      return (await this.#client.rest.get(route)) as T;
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.status === 404 || error.status === 403)) return null;
      throw error;
    }
  }
}
