import type { CommandInteraction, CommandOptionValue, DiscordUser, GuildMemberAddEvent, GuildMemberRemoveEvent, MessageCreateEvent } from '@townesdev/plugin-contract';
import type { ChatInputCommandInteraction, CommandInteractionOption, Guild, GuildMember, Message, PartialGuildMember, User } from 'discord.js';
import { ApplicationCommandOptionType } from 'discord.js';

/**
 * discord.js structures into the kernel's own event shapes (sdk/contract/src/events.ts), and the
 * stable event id of each: the kernel derives every action's idempotency key from it, so the same
 * gateway event must always get the same id.
 */

export function userOf(user: User): DiscordUser {
  return { id: user.id, username: user.username, globalName: user.globalName ?? null, bot: user.bot };
}

/** A member's roles without @everyone (whose id is the guild's), as Discord's member object lists them. */
function rolesOf(member: GuildMember | PartialGuildMember | null | undefined, guildId: string): string[] {
  if (!member) return [];
  return [...member.roles.cache.keys()].filter((id) => id !== guildId);
}

function guildSummary(guild: Guild) {
  return { id: guild.id, name: guild.name, memberCount: guild.memberCount };
}

export function messagePayload(message: Message<true>): MessageCreateEvent {
  return {
    id: message.id,
    guildId: message.guildId,
    channelId: message.channelId,
    author: userOf(message.author),
    memberRoles: rolesOf(message.member, message.guildId),
    content: message.content,
    createdAt: new Date(message.createdTimestamp).toISOString(),
  };
}

/** The message id: Discord's own, unique and the same on every redelivery. */
export const messageEventId = (message: Message): string => message.id;

export function memberAddPayload(member: GuildMember): GuildMemberAddEvent {
  return { guild: guildSummary(member.guild), user: userOf(member.user), joinedAt: new Date(member.joinedTimestamp ?? Date.now()).toISOString() };
}

export function memberRemovePayload(member: GuildMember | PartialGuildMember): GuildMemberRemoveEvent {
  return { guild: guildSummary(member.guild), user: userOf(member.user) };
}

/**
 * A membership is (guild, user, join time): a join and the leave that ends it share it, and a
 * member who leaves and joins again gets a new one. A leave of a member the cache never held has
 * no join time; the guild and user alone then name it.
 */
export function memberEventId(member: GuildMember | PartialGuildMember): string {
  return `${member.guild.id}-${member.id}-${member.joinedTimestamp ?? 'unknown'}`;
}

function optionValue(o: CommandInteractionOption): CommandOptionValue | undefined {
  switch (o.type) {
    case ApplicationCommandOptionType.User:
    case ApplicationCommandOptionType.Channel:
    case ApplicationCommandOptionType.Role:
    case ApplicationCommandOptionType.Mentionable:
      return typeof o.value === 'string' ? o.value : undefined;
    default:
      return o.value ?? undefined;
  }
}

export function commandPayload(interaction: ChatInputCommandInteraction<'cached' | 'raw'>): CommandInteraction {
  const top = interaction.options.data;
  const sub = top.find((o) => o.type === ApplicationCommandOptionType.Subcommand);
  const options: Record<string, CommandOptionValue> = {};
  for (const o of sub?.options ?? top) {
    const value = optionValue(o);
    if (value !== undefined) options[o.name] = value;
  }
  const member = interaction.member;
  const memberRoles = member ? (Array.isArray(member.roles) ? member.roles.filter((id) => id !== interaction.guildId) : rolesOf(member as GuildMember, interaction.guildId)) : [];
  return {
    id: interaction.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    user: userOf(interaction.user),
    memberRoles,
    commandName: interaction.commandName,
    subcommand: sub?.name ?? null,
    options,
  };
}
