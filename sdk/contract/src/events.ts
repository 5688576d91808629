/**
 * What a plugin receives. These are the kernel's own stable shapes, not raw gateway payloads:
 * the runner normalises Discord's JSON once, so plugins do not break when Discord adds fields
 * and never see data their guild did not send.
 */
export interface DiscordUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface GuildSummary {
  id: string;
  name: string;
  memberCount: number;
}

export interface MessageCreateEvent {
  id: string;
  guildId: string;
  channelId: string;
  author: DiscordUser;
  /** Role ids of the author in this guild. */
  memberRoles: string[];
  content: string;
  createdAt: string;
}

export interface GuildMemberAddEvent {
  guild: GuildSummary;
  user: DiscordUser;
  joinedAt: string;
}

export interface GuildMemberRemoveEvent {
  guild: GuildSummary;
  user: DiscordUser;
}

export interface EventPayloads {
  messageCreate: MessageCreateEvent;
  guildMemberAdd: GuildMemberAddEvent;
  guildMemberRemove: GuildMemberRemoveEvent;
}

export type CommandOptionValue = string | number | boolean;

export interface CommandInteraction {
  id: string;
  guildId: string;
  channelId: string;
  user: DiscordUser;
  memberRoles: string[];
  commandName: string;
  subcommand: string | null;
  options: Record<string, CommandOptionValue>;
}

export interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
}

export interface MessageBody {
  content?: string;
  embeds?: Embed[];
}

export interface InteractionReply extends MessageBody {
  /** Only the user who ran the command sees it. */
  ephemeral?: boolean;
}
