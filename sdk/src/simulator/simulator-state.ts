/**
 * What "Discord" knows in the simulator: users, guilds with their roles, channels and members,
 * DM channels, the messages sent, and the bot's application commands. Tests seed it directly;
 * the REST routes and gateway helpers read and change it. It sends nothing by itself: seeding a
 * member does not dispatch GUILD_MEMBER_ADD (use `sim.gateway.memberJoin` for that).
 */
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { basePermissions, channelPermissions, toPermissionBits, type PermissionSubject } from './permissions.ts';
import {
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  type SimChannel,
  type SimGuild,
  type SimMember,
  type SimMessage,
  type SimRole,
  type SimUser,
} from './simulated-entities.ts';
import { nextSnowflake } from './snowflake.ts';

export type { SimChannel, SimGuild, SimMember, SimMessage, SimRole, SimUser } from './simulated-entities.ts';

/** Thrown for ids that do not exist; the REST routes turn it into Discord's 404 codes. */
export class UnknownEntityError extends Error {
  readonly entity: 'user' | 'guild' | 'channel' | 'role' | 'member';
  constructor(entity: UnknownEntityError['entity'], id: string) {
    super(`Unknown ${entity} ${id}`);
    this.name = 'UnknownEntityError';
    this.entity = entity;
  }
}

export class SimulatorState {
  readonly users = new Map<string, SimUser>();
  readonly guilds = new Map<string, SimGuild>();
  /** Every channel, guild or DM, by id. */
  readonly channels = new Map<string, SimChannel>();
  /** Every message, oldest first. */
  readonly messages: SimMessage[] = [];
  /** The same messages by channel and by id (REST looks them up on hot paths). */
  readonly #messagesByChannel = new Map<string, SimMessage[]>();
  /** channel, author and nonce → message: enforce_nonce looks up in O(1) however busy the channel. */
  readonly #messagesByNonce = new Map<string, SimMessage>();
  readonly #messagesById = new Map<string, SimMessage>();
  /** Guild application commands of the simulator's one application, by guild id. */
  readonly guildCommands = new Map<string, Record<string, unknown>[]>();
  globalCommands: Record<string, unknown>[] = [];
  readonly bot: SimUser;

  constructor(bot: { id?: string; username?: string } = {}) {
    this.bot = this.addUser({ id: bot.id, username: bot.username ?? 'Townes Simulated Bot', bot: true });
  }

  addUser(input: { id?: string; username: string; globalName?: string | null; bot?: boolean; email?: string | null }): SimUser {
    const user: SimUser = {
      id: input.id ?? nextSnowflake(),
      username: input.username,
      globalName: input.globalName ?? null,
      bot: input.bot ?? false,
      avatar: null,
      email: input.email ?? null,
    };
    this.users.set(user.id, user);
    return user;
  }

  user(id: string): SimUser {
    const user = this.users.get(id);
    if (!user) throw new UnknownEntityError('user', id);
    return user;
  }

  /**
   * A guild with its @everyone role (id = guild id), a #general text channel, its owner as a
   * member and, unless `botMember: false`, the bot with its managed role.
   */
  addGuild(input: { id?: string; name: string; ownerId: string; botMember?: boolean; botPermissions?: bigint | string }): SimGuild {
    this.user(input.ownerId);
    const id = input.id ?? nextSnowflake();
    const guild: SimGuild = {
      id,
      name: input.name,
      ownerId: input.ownerId,
      icon: null,
      features: [],
      roles: new Map(),
      channels: new Map(),
      members: new Map(),
      withheldBotPermissions: 0n,
    };
    this.guilds.set(id, guild);
    guild.roles.set(id, this.role(id, { id, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0 }));
    this.addChannel(id, { name: 'general' });
    this.addMember(id, input.ownerId);
    if (input.botMember !== false) this.addBotToGuild(id, input.botPermissions ?? DEFAULT_BOT_PERMISSIONS);
    return guild;
  }

  /** Adds the bot with a managed role holding `permissions`, as an OAuth2 bot install does. */
  addBotToGuild(guildId: string, permissions: bigint | string = DEFAULT_BOT_PERMISSIONS): SimMember {
    const existing = this.guild(guildId).members.get(this.bot.id);
    if (existing) return existing;
    const role = this.addRole(guildId, { name: this.bot.username, permissions });
    role.botId = this.bot.id;
    return this.addMember(guildId, this.bot.id, { roles: [role.id] });
  }

  guild(id: string): SimGuild {
    const guild = this.guilds.get(id);
    if (!guild) throw new UnknownEntityError('guild', id);
    return guild;
  }

  /**
   * A role. Like Discord, a new role goes in at position 1, just above @everyone, and the others
   * move up, so the bot's role stays above roles created after it unless `position` says otherwise.
   */
  addRole(guildId: string, input: { id?: string; name: string; permissions: bigint | string; position?: number; color?: number }): SimRole {
    const guild = this.guild(guildId);
    const position = input.position ?? 1;
    for (const other of guild.roles.values()) if (other.id !== guildId && other.position >= position) other.position += 1;
    const role = this.role(guildId, { ...input, position });
    guild.roles.set(role.id, role);
    return role;
  }

  addChannel(
    guildId: string,
    input: { id?: string; name: string; type?: ChannelType; parentId?: string; permissionOverwrites?: { id: string; type: 0 | 1; allow?: bigint | string; deny?: bigint | string }[] },
  ): SimChannel {
    const guild = this.guild(guildId);
    const channel: SimChannel = {
      id: input.id ?? nextSnowflake(),
      guildId,
      name: input.name,
      type: input.type ?? ChannelType.GuildText,
      position: guild.channels.size,
      parentId: input.parentId ?? null,
      permissionOverwrites: (input.permissionOverwrites ?? []).map((o) => ({
        id: o.id,
        type: o.type,
        allow: toPermissionBits(o.allow ?? 0n),
        deny: toPermissionBits(o.deny ?? 0n),
      })),
      recipientIds: [],
      lastMessageId: null,
    };
    guild.channels.set(channel.id, channel);
    this.channels.set(channel.id, channel);
    return channel;
  }

  channel(id: string): SimChannel {
    const channel = this.channels.get(id);
    if (!channel) throw new UnknownEntityError('channel', id);
    return channel;
  }

  addMember(guildId: string, userId: string, input: { roles?: string[]; nick?: string } = {}): SimMember {
    const guild = this.guild(guildId);
    this.user(userId);
    for (const roleId of input.roles ?? []) if (!guild.roles.has(roleId)) throw new UnknownEntityError('role', roleId);
    const member: SimMember = { guildId, userId, roles: [...(input.roles ?? [])], nick: input.nick ?? null, joinedAt: new Date().toISOString() };
    guild.members.set(userId, member);
    return member;
  }

  member(guildId: string, userId: string): SimMember {
    const member = this.guild(guildId).members.get(userId);
    if (!member) throw new UnknownEntityError('member', userId);
    return member;
  }

  removeMember(guildId: string, userId: string): SimMember {
    const member = this.member(guildId, userId);
    this.guild(guildId).members.delete(userId);
    return member;
  }

  /** Replaces the bot's roles in a guild (e.g. to take its managed role away). */
  setBotRoles(guildId: string, roleIds: string[]): SimMember {
    const member = this.member(guildId, this.bot.id);
    for (const roleId of roleIds) if (!this.guild(guildId).roles.has(roleId)) throw new UnknownEntityError('role', roleId);
    member.roles = [...roleIds];
    return member;
  }

  /** From now on the bot lacks these permission bits in the guild, whatever its roles say. */
  withholdBotPermissions(guildId: string, bits: bigint | string): void {
    this.guild(guildId).withheldBotPermissions |= toPermissionBits(bits);
  }

  /** Gives back withheld bits (all of them when `bits` is omitted). */
  restoreBotPermissions(guildId: string, bits?: bigint | string): void {
    const guild = this.guild(guildId);
    guild.withheldBotPermissions = bits === undefined ? 0n : guild.withheldBotPermissions & ~toPermissionBits(bits);
  }

  /** The guilds a user is a member of. */
  guildsOf(userId: string): SimGuild[] {
    return [...this.guilds.values()].filter((g) => g.members.has(userId));
  }

  /** Guild-wide permissions of a member, as Discord computes them. */
  permissionsOf(guildId: string, userId: string): bigint {
    const permissions = basePermissions(this.permissionSubject(guildId, userId));
    return userId === this.bot.id ? permissions & ~this.guild(guildId).withheldBotPermissions : permissions;
  }

  /** A member's permissions in one guild channel, overwrites applied. */
  channelPermissionsOf(channelId: string, userId: string): bigint {
    const channel = this.channel(channelId);
    if (channel.guildId === null) return channelPermissionsInDm;
    const permissions = channelPermissions(this.permissionSubject(channel.guildId, userId), channel.permissionOverwrites);
    return userId === this.bot.id ? permissions & ~this.guild(channel.guildId).withheldBotPermissions : permissions;
  }

  permissionSubject(guildId: string, userId: string): PermissionSubject {
    const guild = this.guild(guildId);
    return { guildId, ownerId: guild.ownerId, userId, roleIds: this.member(guildId, userId).roles, roles: guild.roles };
  }

  /** The bot's DM channel with a user, made on first use (POST /users/@me/channels). */
  dmChannelWith(userId: string): SimChannel {
    this.user(userId);
    for (const channel of this.channels.values()) {
      if (channel.type === ChannelType.DM && channel.recipientIds[0] === userId) return channel;
    }
    const channel: SimChannel = {
      id: nextSnowflake(),
      guildId: null,
      name: null,
      type: ChannelType.DM,
      position: 0,
      parentId: null,
      permissionOverwrites: [],
      recipientIds: [userId],
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  addMessage(input: Omit<SimMessage, 'id' | 'timestamp' | 'editedTimestamp' | 'guildId'>): SimMessage {
    const channel = this.channel(input.channelId);
    const id = nextSnowflake();
    const message: SimMessage = { ...input, id, guildId: channel.guildId, timestamp: new Date().toISOString(), editedTimestamp: null };
    channel.lastMessageId = id;
    this.messages.push(message);
    this.#messagesById.set(id, message);
    const inChannel = this.#messagesByChannel.get(channel.id);
    if (inChannel) inChannel.push(message);
    else this.#messagesByChannel.set(channel.id, [message]);
    if (message.nonce) this.#messagesByNonce.set(nonceKey(channel.id, message.authorId, message.nonce), message);
    return message;
  }

  /** The message `authorId` sent in `channelId` with this nonce, if any (Discord's enforce_nonce). */
  messageByNonce(channelId: string, authorId: string, nonce: string): SimMessage | undefined {
    return this.#messagesByNonce.get(nonceKey(channelId, authorId, nonce));
  }

  /** The messages sent in a channel, oldest first (a live view: it grows as messages arrive). */
  messagesIn(channelId: string): readonly SimMessage[] {
    return this.#messagesByChannel.get(channelId) ?? [];
  }

  message(id: string): SimMessage | undefined {
    return this.#messagesById.get(id);
  }

  private role(guildId: string, input: { id?: string; name: string; permissions: bigint | string; position: number; color?: number }): SimRole {
    return {
      id: input.id ?? nextSnowflake(),
      guildId,
      name: input.name,
      permissions: toPermissionBits(input.permissions),
      position: input.position,
      color: input.color ?? 0,
      hoist: false,
      mentionable: false,
      botId: null,
    };
  }
}

/** In a DM the bot may read and send; Discord has no roles there. */
const channelPermissionsInDm =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.EmbedLinks;

const nonceKey = (channelId: string, authorId: string, nonce: string) => `${channelId}\u0000${authorId}\u0000${nonce}`;
