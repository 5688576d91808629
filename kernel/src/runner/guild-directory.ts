import type { ActionEnvelope } from '../actions/action-sink.ts';

/**
 * What the runner knows about which channels, members and roles belong to which guild. The
 * discord.js implementation answers from the gateway caches and asks REST only on a miss.
 */
export interface GuildDirectory {
  /** The guild a channel belongs to; null for a DM channel or one the bot cannot see. */
  channelGuild(channelId: string): Promise<string | null>;
  hasMember(guildId: string, userId: string): Promise<boolean>;
  hasRole(guildId: string, roleId: string): Promise<boolean>;
}

/**
 * Why an action may not be performed for its guild, or null when its targets belong to it. The
 * kernel checked the plugin's capability for this guild; this checks the ids, so a plugin granted
 * `discord.messages.send` in one server cannot post into a channel of another, or DM people who
 * are not members of the server it runs in.
 */
export async function targetProblem(envelope: ActionEnvelope, directory: GuildDirectory): Promise<string | null> {
  const { guildId, action } = envelope;
  switch (action.type) {
    case 'sendMessage': {
      const owner = await directory.channelGuild(action.channelId);
      return owner === guildId ? null : `channel ${action.channelId} is not a channel of guild ${guildId}`;
    }
    case 'sendDirectMessage':
      return (await directory.hasMember(guildId, action.userId)) ? null : `user ${action.userId} is not a member of guild ${guildId}`;
    case 'addRole':
    case 'removeRole': {
      if (action.roleId === guildId) return 'the @everyone role cannot be given or taken';
      if (!(await directory.hasRole(guildId, action.roleId))) return `role ${action.roleId} is not a role of guild ${guildId}`;
      return (await directory.hasMember(guildId, action.userId)) ? null : `user ${action.userId} is not a member of guild ${guildId}`;
    }
  }
}
