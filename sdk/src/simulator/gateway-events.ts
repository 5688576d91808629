/**
 * The data of the gateway dispatches the simulator sends, built from its state in the shapes
 * discord-api-types gives for Gateway v10 (what discord.js parses): READY, GUILD_CREATE,
 * GUILD_MEMBER_ADD/REMOVE/UPDATE, MESSAGE_CREATE and INTERACTION_CREATE.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionType,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIInteraction,
  type ApplicationFlags,
  type GatewayGuildCreateDispatchData,
  type GatewayGuildMemberAddDispatchData,
  type GatewayGuildMemberRemoveDispatchData,
  type GatewayGuildMemberUpdateDispatchData,
  type GatewayMessageCreateDispatchData,
  type GatewayReadyDispatchData,
  type Locale,
} from 'discord-api-types/v10';
import { apiChannel, apiGuild, apiMember, apiMessage, apiUser } from './api-objects.ts';
import type { SimInteraction } from './interaction-registry.ts';
import type { SimGuild, SimMember, SimMessage } from './simulated-entities.ts';
import type { SimulatorState } from './simulator-state.ts';

export function readyData(
  state: SimulatorState,
  input: { sessionId: string; resumeUrl: string; shard: [number, number]; guildIds: string[]; applicationId: string },
): GatewayReadyDispatchData {
  return {
    v: 10,
    user: { ...apiUser(state.bot), verified: true, mfa_enabled: false },
    guilds: input.guildIds.map((id) => ({ id, unavailable: true })),
    session_id: input.sessionId,
    resume_gateway_url: input.resumeUrl,
    shard: input.shard,
    application: { id: input.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
  };
}

/** GUILD_CREATE: the guild with its channels and, when `withMembers`, every member (else only the bot). */
export function guildCreateData(state: SimulatorState, guild: SimGuild, withMembers: boolean): GatewayGuildCreateDispatchData {
  const members = [...guild.members.values()].filter((m) => withMembers || m.userId === state.bot.id);
  return {
    ...apiGuild(guild),
    joined_at: guild.members.get(state.bot.id)?.joinedAt ?? new Date().toISOString(),
    large: guild.members.size > 250,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: members.map((m) => apiMember(state, m)),
    channels: [...guild.channels.values()].map((c) => apiChannel(state, c)) as GatewayGuildCreateDispatchData['channels'],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function memberAddData(state: SimulatorState, member: SimMember): GatewayGuildMemberAddDispatchData {
  return { ...apiMember(state, member), guild_id: member.guildId };
}

export function memberRemoveData(state: SimulatorState, guildId: string, userId: string): GatewayGuildMemberRemoveDispatchData {
  return { guild_id: guildId, user: apiUser(state.user(userId)) };
}

export function memberUpdateData(state: SimulatorState, member: SimMember): GatewayGuildMemberUpdateDispatchData {
  const { user, ...rest } = apiMember(state, member);
  return { ...rest, user: user ?? apiUser(state.user(member.userId)), guild_id: member.guildId, avatar: null, banner: null } as GatewayGuildMemberUpdateDispatchData;
}

/** MESSAGE_CREATE: the message plus `guild_id` and the author's member, as the gateway adds them. */
export function messageCreateData(state: SimulatorState, message: SimMessage): GatewayMessageCreateDispatchData {
  const base = apiMessage(state, message);
  if (message.guildId === null) return base as GatewayMessageCreateDispatchData;
  const member = state.guild(message.guildId).members.get(message.authorId);
  const { user: _user, ...partialMember } = member ? apiMember(state, member) : { user: undefined };
  return { ...base, guild_id: message.guildId, ...(member ? { member: partialMember } : {}) } as GatewayMessageCreateDispatchData;
}

/** What a message looks like to a bot without the MESSAGE_CONTENT intent. */
export function withoutContent(data: GatewayMessageCreateDispatchData): GatewayMessageCreateDispatchData {
  return { ...data, content: '', embeds: [], attachments: [], components: [] };
}

export type CommandOptions = Record<string, string | number | boolean> | APIApplicationCommandInteractionDataBasicOption[];

/** The options of a slash command from a plain object (`{ user: '123', amount: 5 }`) or as given. */
export function commandOptions(options: CommandOptions | undefined): APIApplicationCommandInteractionDataBasicOption[] {
  if (options === undefined) return [];
  if (Array.isArray(options)) return options;
  return Object.entries(options).map(([name, value]) => {
    if (typeof value === 'boolean') return { name, type: ApplicationCommandOptionType.Boolean, value };
    if (typeof value === 'number') return { name, type: Number.isInteger(value) ? ApplicationCommandOptionType.Integer : ApplicationCommandOptionType.Number, value };
    return { name, type: ApplicationCommandOptionType.String, value };
  });
}

/** INTERACTION_CREATE for a CHAT_INPUT command, in a guild (with `member`) or a DM (with `user`). */
export function commandInteractionData(state: SimulatorState, interaction: SimInteraction, commandId: string, options: CommandOptions | undefined): APIInteraction {
  const channel = state.channel(interaction.channelId);
  const user = apiUser(state.user(interaction.userId));
  const common = {
    id: interaction.id,
    application_id: interaction.applicationId,
    type: InteractionType.ApplicationCommand,
    token: interaction.token,
    version: 1,
    locale: 'en-US' as Locale,
    entitlements: [],
    attachment_size_limit: 10_485_760,
    channel: apiChannel(state, channel),
    channel_id: channel.id,
    data: {
      id: commandId,
      name: String(interaction.data.name),
      type: ApplicationCommandType.ChatInput,
      options: commandOptions(options),
      ...(interaction.guildId !== null ? { guild_id: interaction.guildId } : {}),
    },
  };
  if (interaction.guildId === null) {
    return { ...common, user, app_permissions: '0', authorizing_integration_owners: { 1: interaction.userId }, context: 1 } as unknown as APIInteraction;
  }
  const member = state.member(interaction.guildId, interaction.userId);
  return {
    ...common,
    guild_id: interaction.guildId,
    guild_locale: 'en-US' as Locale,
    guild: { id: interaction.guildId, features: [], locale: 'en-US' as Locale },
    member: { ...apiMember(state, member), permissions: state.channelPermissionsOf(channel.id, interaction.userId).toString() },
    app_permissions: state.channelPermissionsOf(channel.id, state.bot.id).toString(),
    authorizing_integration_owners: { 0: interaction.guildId },
    context: 0,
  } as unknown as APIInteraction;
}
