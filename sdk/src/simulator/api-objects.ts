/**
 * The simulator's state as Discord's JSON objects (v10), in the shapes of Discord's OpenAPI
 * spec's responses (UserResponse, GuildRoleResponse, MessageResponse, ...), typed with
 * discord-api-types. Fields the spec requires but that the simulator never varies (banners,
 * avatar decorations, NSFW levels, ...) are filled with Discord's values for a plain object.
 */
import type {
  GuildMemberFlags,
  GuildSystemChannelFlags,
  Locale,
  RoleFlags,
  UserFlags,
  APIChannel,
  APIGuild,
  APIGuildMember,
  APIMessage,
  APIRole,
  APIUser,
  RESTAPIPartialCurrentUserGuild,
} from 'discord-api-types/v10';
import type { SimChannel, SimGuild, SimMember, SimMessage, SimRole, SimUser, SimulatorState } from './simulator-state.ts';

export function apiUser(user: SimUser): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: user.avatar,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    ...(user.bot ? { bot: true } : {}),
    ...{ primary_guild: null, banner: null, accent_color: null, avatar_decoration_data: null, collectibles: null },
  };
}

/** `GET /users/@me`: the user with the private fields an OAuth token with `email` scope sees. */
export function apiCurrentUser(user: SimUser, withEmail: boolean): APIUser {
  return {
    ...apiUser(user),
    mfa_enabled: false,
    locale: 'en-US',
    premium_type: 0,
    ...(withEmail ? { email: user.email, verified: user.email !== null } : {}),
  };
}

export function apiRole(role: SimRole): APIRole {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions.toString(),
    position: role.position,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    managed: role.botId !== null,
    mentionable: role.mentionable,
    icon: null,
    unicode_emoji: null,
    flags: 0 as RoleFlags,
    ...(role.botId !== null ? { tags: { bot_id: role.botId } } : {}),
  };
}

export function apiMember(state: SimulatorState, member: SimMember): APIGuildMember {
  return {
    user: apiUser(state.user(member.userId)),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

export function apiChannel(state: SimulatorState, channel: SimChannel): APIChannel {
  if (channel.guildId === null) {
    return {
      id: channel.id,
      type: channel.type,
      flags: 0,
      last_message_id: channel.lastMessageId,
      recipients: channel.recipientIds.map((id) => apiUser(state.user(id))),
    } as unknown as APIChannel;
  }
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name ?? '',
    position: channel.position,
    parent_id: channel.parentId,
    flags: 0,
    nsfw: false,
    topic: null,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    permission_overwrites: channel.permissionOverwrites.map((o) => ({
      id: o.id,
      type: o.type,
      allow: o.allow.toString(),
      deny: o.deny.toString(),
    })),
    // One object for every guild channel type; the union cannot be narrowed from a runtime `type`.
  } as unknown as APIChannel;
}

export function apiGuild(guild: SimGuild): APIGuild {
  const general = [...guild.channels.values()][0]?.id ?? null;
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    description: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    features: [],
    owner_id: guild.ownerId,
    application_id: null,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    system_channel_id: general,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    roles: [...guild.roles.values()].map(apiRole),
    default_message_notifications: 0,
    mfa_level: 0,
    explicit_content_filter: 0,
    max_presences: null,
    max_members: 500000,
    max_stage_video_channel_users: 50,
    max_video_channel_users: 25,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US' as Locale,
    rules_channel_id: null,
    safety_alerts_channel_id: null,
    public_updates_channel_id: null,
    premium_progress_bar_enabled: false,
    nsfw_level: 0,
    emojis: [],
    stickers: [],
    hub_type: null,
    incidents_data: null,
    ...{ home_header: null, nsfw: false },
  };
}

/** A partial guild of `GET /users/@me/guilds`, with the user's computed permissions. */
export function apiPartialGuild(state: SimulatorState, guild: SimGuild, userId: string, withCounts: boolean): RESTAPIPartialCurrentUserGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    banner: null,
    owner: guild.ownerId === userId,
    permissions: state.permissionsOf(guild.id, userId).toString(),
    features: [],
    ...(withCounts ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {}),
  };
}

export function apiMessage(state: SimulatorState, message: SimMessage): APIMessage {
  const author = state.user(message.authorId);
  return {
    id: message.id,
    channel_id: message.channelId,
    author: apiUser(author),
    content: message.content,
    timestamp: message.timestamp,
    edited_timestamp: message.editedTimestamp,
    tts: false,
    mention_everyone: false,
    mentions: mentionedUsers(state, message.content),
    mention_roles: [],
    attachments: [],
    embeds: message.embeds as APIMessage['embeds'],
    components: message.components as APIMessage['components'],
    pinned: false,
    type: message.type,
    flags: message.flags,
    ...(message.nonce !== null ? { nonce: message.nonce } : {}),
    ...(message.webhookId !== null ? { webhook_id: message.webhookId, application_id: message.webhookId } : {}),
  };
}

/** Users mentioned as `<@id>` or `<@!id>` that the simulator knows. */
export function mentionedUsers(state: SimulatorState, content: string): APIUser[] {
  const ids = new Set([...content.matchAll(/<@!?(\d{15,21})>/g)].map((m) => m[1] as string));
  return [...ids].flatMap((id) => {
    const user = state.users.get(id);
    return user ? [apiUser(user)] : [];
  });
}
