/**
 * The simulator's records of Discord's objects (users, guilds, roles, channels, members,
 * messages), as the state keeps them: bigints for permissions, ids as strings. api-objects.ts
 * turns them into Discord's JSON.
 */
import { PermissionFlagsBits, type ChannelType } from 'discord-api-types/v10';
import type { PermissionOverwrite, PermissionRole } from './permissions.ts';

export interface SimUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  avatar: string | null;
  email: string | null;
}

export interface SimRole extends PermissionRole {
  guildId: string;
  name: string;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  /** Set for the bot's own role, which Discord creates when the bot joins (managed). */
  botId: string | null;
}

export interface SimChannel {
  id: string;
  /** null for DM channels. */
  guildId: string | null;
  name: string | null;
  type: ChannelType;
  position: number;
  parentId: string | null;
  permissionOverwrites: PermissionOverwrite[];
  /** DM channels: the other user. */
  recipientIds: string[];
  lastMessageId: string | null;
}

export interface SimMember {
  guildId: string;
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface SimGuild {
  id: string;
  name: string;
  ownerId: string;
  icon: string | null;
  features: string[];
  roles: Map<string, SimRole>;
  channels: Map<string, SimChannel>;
  members: Map<string, SimMember>;
  /** Bits taken away from the bot's computed permissions here (fault injection). */
  withheldBotPermissions: bigint;
}

export interface SimMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  /** Discord's message type: 0 default, 20 a reply to a slash command. */
  type: number;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  timestamp: string;
  editedTimestamp: string | null;
  /** Set for interaction replies and followups, which Discord sends as the application's webhook. */
  webhookId: string | null;
  interactionId: string | null;
  /** The sender's nonce, for `enforce_nonce` de-duplication. */
  nonce: string | null;
}

/** What a member of @everyone may do in a new guild (a typical community server's defaults). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak;

/** The bot's managed role: what an operator typically grants when inviting it. */
export const DEFAULT_BOT_PERMISSIONS =
  DEFAULT_EVERYONE_PERMISSIONS | PermissionFlagsBits.ManageRoles | PermissionFlagsBits.ManageMessages;
