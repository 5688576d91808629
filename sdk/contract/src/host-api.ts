import type { Capability } from './capabilities.ts';
import type { MessageBody } from './events.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The plugin's own key-value data for the guild of the current event. Keys are at most 200
 * characters; every value counts toward the manifest's `limits.storageBytes` for that guild.
 */
export interface PluginStorage {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
  delete(key: string): Promise<boolean>;
  /**
   * Entries whose key starts with `prefix`, in key order, at most `limit` (default and maximum
   * 1000). To page through more, pass the last key you got as `after`.
   */
  list<T extends JsonValue = JsonValue>(options?: { prefix?: string; limit?: number; after?: string }): Promise<Array<{ key: string; value: T }>>;
}

/**
 * Discord actions are staged while the handler runs and performed by the runner once the handler
 * finishes without error, so a handler that throws leaves no half-done trail in the guild.
 */
export interface DiscordMessagesApi {
  sendMessage(channelId: string, message: string | MessageBody): void;
}
export interface DiscordDirectMessagesApi {
  sendDirectMessage(userId: string, message: string | MessageBody): void;
}
export interface DiscordRolesApi {
  addRole(userId: string, roleId: string, reason?: string): void;
  removeRole(userId: string, roleId: string, reason?: string): void;
}

type When<Granted extends Capability, C extends Capability, Api> = [C] extends [Granted] ? Api : unknown;

export type DiscordApi<P extends Capability> = When<P, 'discord.messages.send', DiscordMessagesApi> &
  When<P, 'discord.members.dm', DiscordDirectMessagesApi> &
  When<P, 'discord.roles.manage', DiscordRolesApi>;

export interface PluginLogger {
  info(message: string, data?: JsonValue): void;
  warn(message: string, data?: JsonValue): void;
  error(message: string, data?: JsonValue): void;
}

/** What a handler gets: only the capabilities its manifest declared exist on it. */
export type PluginContext<P extends Capability, Config> = {
  readonly guildId: string;
  readonly config: Config;
  readonly log: PluginLogger;
  readonly discord: DiscordApi<P>;
} & When<P, 'storage', { readonly storage: PluginStorage }>;

/** Codes of the errors the host raises inside a plugin (`err.code`). */
export type HostErrorCode = 'CAPABILITY_DENIED' | 'STORAGE_QUOTA' | 'CONTEXT_EXPIRED' | 'INVALID_ARGUMENT' | 'ACTION_LIMIT';
