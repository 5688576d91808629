import { z } from 'zod';

/** Gateway events a plugin may subscribe to, and the intents each one needs from Discord. */
export const EVENT_INTENTS = {
  messageCreate: ['Guilds', 'GuildMessages', 'MessageContent'],
  guildMemberAdd: ['Guilds', 'GuildMembers'],
  guildMemberRemove: ['Guilds', 'GuildMembers'],
} as const satisfies Record<string, readonly string[]>;

export type PluginEventName = keyof typeof EVENT_INTENTS;
export const PluginEventName = z.enum(Object.keys(EVENT_INTENTS) as [PluginEventName, ...PluginEventName[]]);

/** The gateway intents a manifest may require (names as in discord.js's GatewayIntentBits). */
export const INTENTS = ['Guilds', 'GuildMembers', 'GuildMessages', 'MessageContent', 'GuildMessageReactions', 'DirectMessages'] as const;
export const Intent = z.enum(INTENTS);
export type Intent = z.infer<typeof Intent>;

/**
 * Bot permissions a plugin may need, with Discord's permission bit. The bit lets the API build
 * an invite URL with the right permission integer when the bot lacks one.
 */
export const BOT_PERMISSION_BITS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  ManageRoles: 1n << 28n,
} as const;
export type BotPermission = keyof typeof BOT_PERMISSION_BITS;
export const BotPermission = z.enum(Object.keys(BOT_PERMISSION_BITS) as [BotPermission, ...BotPermission[]]);

/** The permission integer Discord expects in an invite URL for a set of permissions. */
export function permissionInteger(perms: readonly BotPermission[]): string {
  let bits = 0n;
  for (const p of perms) bits |= BOT_PERMISSION_BITS[p];
  return bits.toString();
}
