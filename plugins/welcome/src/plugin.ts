/**
 * @townesdev/welcome: greet new members in a channel, optionally by DM, and give them a role.
 *
 * Written exactly as a third-party plugin: it imports only `@townesdev/sdk` and its own files, and
 * runs in the kernel's sandbox (no Node APIs, no timers, no clock: times come from the event).
 */
import {
  defineManifest,
  definePlugin,
  type CommandInteraction,
  type ContextOf,
  type GuildMemberAddEvent,
  type InteractionReply,
} from '@townesdev/sdk';
import { renderWelcome, welcomeValues, type WelcomeGuild } from './template.ts';

export const DEFAULT_MESSAGE = 'Welcome {user} to {server}! You are member #{memberCount}.';
export const DEFAULT_DM_MESSAGE = 'Hi {username}, welcome to {server}! You are our {memberCount:ordinal} member. Make yourself at home.';

/** Storage key of the last seen server name and member count, used by `/welcome test` previews. */
const GUILD_KEY = 'guild';

function isGuildSummary(value: unknown): value is { name: string; memberCount: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.memberCount === 'number';
}

export const manifest = defineManifest({
  name: '@townesdev/welcome',
  version: '1.0.0',
  displayName: 'Welcome',
  description: 'Greets new members in a channel of your choice, optionally by direct message, and can give them a role when they join.',
  kernelApi: '^1.0.0',
  entry: 'dist/plugin.js',
  permissions: ['storage', 'discord.messages.send', 'discord.members.dm', 'discord.roles.manage'],
  events: ['guildMemberAdd'],
  commands: [
    {
      name: 'welcome',
      description: 'Welcome messages',
      subcommands: [{ name: 'test', description: 'Preview the welcome message and send it to the welcome channel' }],
    },
  ],
  config: {
    channelId: {
      type: 'channel',
      label: 'Welcome channel',
      description: 'Where welcome messages are posted. Nothing is sent until this is set.',
      optional: true,
    },
    message: {
      type: 'string',
      label: 'Welcome message',
      description: 'Placeholders: {user} (mention), {username}, {displayName}, {server}, {memberCount}, {memberCount:ordinal}.',
      minLength: 1,
      maxLength: 2000,
      default: DEFAULT_MESSAGE,
    },
    dmEnabled: {
      type: 'boolean',
      label: 'Also send a direct message',
      default: false,
    },
    dmMessage: {
      type: 'string',
      label: 'Direct message',
      description: 'Sent to the new member when direct messages are on. Same placeholders as the welcome message.',
      minLength: 1,
      maxLength: 2000,
      default: DEFAULT_DM_MESSAGE,
    },
    autoRoleId: {
      type: 'role',
      label: 'Role for new members',
      description: 'Given to every member who joins. The bot\'s role must be above it.',
      optional: true,
    },
    ignoreBots: {
      type: 'boolean',
      label: 'Ignore bots',
      description: 'Do not greet bots (or give them the role) when they are added.',
      default: true,
    },
  },
  discord: {
    intents: ['Guilds', 'GuildMembers'],
    botPermissions: ['ViewChannel', 'SendMessages', 'ManageRoles'],
  },
  limits: { storageBytes: 4096 },
});

type Ctx = ContextOf<typeof manifest>;

export default definePlugin({
  manifest,

  events: {
    async guildMemberAdd(ctx: Ctx, event: GuildMemberAddEvent): Promise<void> {
      const { config } = ctx;
      if (!config.channelId) return;
      if (event.user.bot && config.ignoreBots) return;

      await ctx.storage.set(GUILD_KEY, { name: event.guild.name, memberCount: event.guild.memberCount });
      const values = welcomeValues(event.user, event.guild);

      const text = renderWelcome(config.message, values);
      if (text) ctx.discord.sendMessage(config.channelId, text);

      // Bots cannot receive direct messages.
      if (config.dmEnabled && !event.user.bot) {
        const dm = renderWelcome(config.dmMessage, values);
        if (dm) ctx.discord.sendDirectMessage(event.user.id, dm);
      }

      if (config.autoRoleId) ctx.discord.addRole(event.user.id, config.autoRoleId, 'Welcome: role for new members');
    },
  },

  commands: {
    async welcome(ctx: Ctx, interaction: CommandInteraction): Promise<InteractionReply> {
      if (interaction.subcommand !== 'test') {
        return { content: 'Try `/welcome test` to preview the welcome message.', ephemeral: true };
      }
      const { config } = ctx;
      if (!config.channelId) {
        return {
          content:
            'Welcome messages are off because no welcome channel is set. Open the Welcome plugin\'s settings for this server ' +
            'in the TownesDev dashboard, choose a **Welcome channel** (`channelId`), save, then run `/welcome test` again.',
          ephemeral: true,
        };
      }

      // Commands do not carry the server name or member count: use what the last join saw.
      const stored = await ctx.storage.get(GUILD_KEY);
      const guild: WelcomeGuild = isGuildSummary(stored) ? stored : { name: null, memberCount: null };
      const values = welcomeValues(interaction.user, guild);

      const text = renderWelcome(config.message, values);
      if (!text) return { content: 'The welcome message is empty once rendered; edit it in the plugin settings.', ephemeral: true };
      ctx.discord.sendMessage(config.channelId, text);

      const embeds = [{ title: 'Welcome message', description: text }];
      if (config.dmEnabled) {
        const dm = renderWelcome(config.dmMessage, values);
        if (dm) embeds.push({ title: 'Direct message (not sent by this test)', description: dm });
      }
      const notes: string[] = [`Sent a test welcome message to <#${config.channelId}>. Here is how it renders for you:`];
      if (config.autoRoleId) notes.push(`New members also get <@&${config.autoRoleId}>.`);
      if (guild.memberCount === null) notes.push('(The server name and member count fill in once a member joins.)');
      return { content: notes.join('\n'), embeds, ephemeral: true };
    },
  },
});
