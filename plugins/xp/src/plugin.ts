/**
 * @townesdev/xp: members earn XP for chatting, level up on a familiar curve, get role rewards,
 * and can check `/rank` and `/leaderboard`.
 *
 * Written exactly as a third-party plugin: it imports only `@townesdev/sdk` and its own files, and
 * runs in the kernel's sandbox (no Node APIs, no timers, no clock: time is the message's
 * `createdAt`). The message handler is the hot path: one storage read, and one write only when
 * the message earns XP.
 */
import {
  defineManifest,
  definePlugin,
  type CommandInteraction,
  type ContextOf,
  type InteractionReply,
  type MessageCreateEvent,
} from '@townesdev/sdk';
import { cooldownElapsed, rollXp, toEpochMs } from './cooldown.ts';
import { capLength, formatNumber, progressBar, renderLevelUp } from './format.ts';
import { levelProgress } from './level-curve.ts';
import { listAll } from './scan.ts';
import { USER_PREFIX, applyAward, rankOf, rolesToGrant, standings, toRecord, topStandings, userKey } from './records.ts';

export const DEFAULT_LEVEL_UP_MESSAGE = 'GG {user}, you just reached level {level}!';
export const LEADERBOARD_SIZE = 10;
const EMBED_COLOR = 0x5865f2;

export const manifest = defineManifest({
  name: '@townesdev/xp',
  version: '1.0.0',
  displayName: 'XP & Levels',
  description: 'Members earn XP for chatting and level up. Announces level-ups, hands out role rewards, and adds /rank and /leaderboard.',
  kernelApi: '^1.0.0',
  entry: 'dist/plugin.js',
  permissions: ['storage', 'discord.messages.send', 'discord.roles.manage'],
  events: ['messageCreate'],
  commands: [
    {
      name: 'rank',
      description: 'Show a member\'s level, XP and rank',
      options: [{ type: 'user', name: 'user', description: 'Whose rank to show (you, if left out)', required: false }],
    },
    { name: 'leaderboard', description: `The ${LEADERBOARD_SIZE} members with the most XP` },
  ],
  config: {
    minXp: { type: 'integer', label: 'Minimum XP per message', min: 0, max: 1000, default: 15 },
    maxXp: { type: 'integer', label: 'Maximum XP per message', min: 0, max: 1000, default: 25 },
    cooldownSeconds: {
      type: 'integer',
      label: 'Cooldown (seconds)',
      description: 'A member earns XP at most once in this many seconds.',
      min: 0,
      max: 86400,
      default: 60,
    },
    announceLevelUps: { type: 'boolean', label: 'Announce level-ups', default: true },
    announceChannelId: {
      type: 'channel',
      label: 'Level-up channel',
      description: 'Where level-ups are announced. If not set, in the channel where the member levelled up.',
      optional: true,
    },
    levelUpMessage: {
      type: 'string',
      label: 'Level-up message',
      description: 'Placeholders: {user} (mention), {username}, {level}, {xp}.',
      minLength: 1,
      maxLength: 1000,
      default: DEFAULT_LEVEL_UP_MESSAGE,
    },
    roleRewards: {
      type: 'list',
      label: 'Role rewards',
      description: 'Roles given when a member reaches a level. The bot\'s role must be above them.',
      maxItems: 25,
      items: {
        type: 'object',
        fields: {
          level: { type: 'integer', label: 'Level', min: 1, max: 1000 },
          roleId: { type: 'role', label: 'Role' },
        },
      },
    },
    ignoredChannels: {
      type: 'list',
      label: 'Channels without XP',
      maxItems: 100,
      items: { type: 'channel' },
    },
  },
  discord: {
    intents: ['Guilds', 'GuildMessages', 'MessageContent'],
    botPermissions: ['ViewChannel', 'SendMessages', 'ManageRoles'],
  },
  // One small record per member: 8 MB holds about 80,000 members. /leaderboard reads them all.
  limits: { storageBytes: 8 * 1024 * 1024, memoryMb: 64, cpuMsPerEvent: 200, actionsPerEvent: 30 },
  migrations: [{ id: '001-initial', description: 'Record the storage layout version (schema v1: one u:<userId> key per member)' }],
});

type Ctx = ContextOf<typeof manifest>;

async function onMessage(ctx: Ctx, message: MessageCreateEvent): Promise<void> {
  const { config } = ctx;
  if (message.author.bot) return;
  if (config.ignoredChannels.includes(message.channelId)) return;
  const now = toEpochMs(message.createdAt);
  if (now === null) return;

  const key = userKey(message.author.id);
  const record = toRecord(await ctx.storage.get(key));
  if (!cooldownElapsed(record.lastAwardAt, now, config.cooldownSeconds)) return;

  const award = applyAward(record, rollXp(config.minXp, config.maxXp), now);
  await ctx.storage.set(key, award.record);
  if (!award.leveledUp) return;

  const { level, xp } = award.record;
  if (config.announceLevelUps) {
    const text = renderLevelUp(config.levelUpMessage, { userId: message.author.id, username: message.author.username, level, xp });
    if (text) ctx.discord.sendMessage(config.announceChannelId ?? message.channelId, text);
  }
  for (const reward of rolesToGrant(config.roleRewards, level, message.memberRoles)) {
    ctx.discord.addRole(message.author.id, reward.roleId, `XP: reached level ${reward.level}`);
  }
}

async function rank(ctx: Ctx, interaction: CommandInteraction): Promise<InteractionReply> {
  const option = interaction.options.user;
  const userId = typeof option === 'string' && option !== '' ? option : interaction.user.id;
  const record = toRecord(await ctx.storage.get(userKey(userId)));
  if (record.xp === 0) {
    return {
      content: userId === interaction.user.id ? 'You have no XP yet. Chat a little and check again!' : `<@${userId}> has no XP yet.`,
      // Ephemeral: only the asker sees it, so the mention does not ping anyone.
      ephemeral: true,
    };
  }
  const all = standings(await listAll(ctx.storage, USER_PREFIX));
  const position = rankOf(all, userId, record.xp);
  const p = levelProgress(record.xp);
  const percent = Math.floor(p.fraction * 100);
  return {
    embeds: [
      {
        title: `Level ${p.level}${position === null ? '' : ` · Rank #${position}`}`,
        description: `<@${userId}>\n\`${progressBar(p.fraction)}\` ${percent}% to level ${p.level + 1}`,
        color: EMBED_COLOR,
        fields: [
          { name: 'Level', value: String(p.level), inline: true },
          { name: 'Rank', value: position === null ? '-' : `#${position} of ${formatNumber(all.length)}`, inline: true },
          { name: 'Total XP', value: formatNumber(record.xp), inline: true },
          { name: 'Progress', value: `${formatNumber(p.current)} / ${formatNumber(p.needed)} XP (${formatNumber(p.remaining)} to go)`, inline: false },
        ],
        footer: { text: `${formatNumber(record.messages)} messages earned XP` },
      },
    ],
  };
}

async function leaderboard(ctx: Ctx): Promise<InteractionReply> {
  const all = standings(await listAll(ctx.storage, USER_PREFIX));
  if (all.length === 0) return { content: 'No one has earned XP yet. Start chatting!' };
  const top = topStandings(all, LEADERBOARD_SIZE);
  const lines = top.map((s, i) => {
    const { level } = levelProgress(s.xp);
    return `**${i + 1}.** <@${s.userId}> · Level ${level} · ${formatNumber(s.xp)} XP`;
  });
  return {
    embeds: [
      {
        title: 'Leaderboard',
        description: capLength(lines.join('\n'), 4096),
        color: EMBED_COLOR,
        footer: { text: `${formatNumber(all.length)} members with XP` },
      },
    ],
  };
}

export default definePlugin({
  manifest,
  events: {
    messageCreate: onMessage,
  },
  commands: {
    rank,
    leaderboard: (ctx: Ctx) => leaderboard(ctx),
  },
  migrations: {
    '001-initial': {
      async up({ storage }) {
        await storage.set('schema', { version: 1 });
      },
      async down({ storage }) {
        await storage.delete('schema');
      },
    },
  },
});
