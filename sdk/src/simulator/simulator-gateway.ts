/**
 * `sim.gateway`: what happens in the simulated Discord, as the bot's gateway sees it. Each helper
 * changes the state and dispatches the event to the right shard with the right intents:
 * a member joins or leaves, a user writes a message, a user runs a slash command. REST changes
 * the bot makes (its messages, role changes) are dispatched here too, as Discord does.
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import {
  commandInteractionData,
  memberAddData,
  memberRemoveData,
  memberUpdateData,
  messageCreateData,
  withoutContent,
  type CommandOptions,
} from './gateway-events.ts';
import type { ConnectedShard, GatewayServer } from './gateway-server.ts';
import type { GatewaySession } from './gateway-session.ts';
import type { InteractionRegistry, SimInteraction } from './interaction-registry.ts';
import { nextSnowflake } from './snowflake.ts';
import type { SimMember, SimMessage } from './simulated-entities.ts';
import type { StateChangeListener, SimulatorContext } from './simulator-context.ts';

export interface SimulatorGateway {
  /** GUILD_MEMBER_ADD (GUILD_MEMBERS intent); adds the member to the guild first. */
  memberJoin(guildId: string, userId: string, options?: { roles?: string[] }): SimMember;
  /** GUILD_MEMBER_REMOVE (GUILD_MEMBERS intent); removes the member. */
  memberLeave(guildId: string, userId: string): void;
  /**
   * A user writes in a guild channel: MESSAGE_CREATE to shards with GUILD_MESSAGES; the content
   * only with MESSAGE_CONTENT (or when the message mentions the bot).
   */
  message(guildId: string, channelId: string, userId: string, content: string): SimMessage;
  /** A user writes to the bot in DM: MESSAGE_CREATE on shard 0 with DIRECT_MESSAGES. */
  directMessage(userId: string, content: string): SimMessage;
  /**
   * A user runs a slash command: INTERACTION_CREATE (APPLICATION_COMMAND) with an id and token
   * that the callback route accepts for 3 seconds. Options: `{ name: value }` or Discord's array.
   */
  interaction(guildId: string, channelId: string, userId: string, commandName: string, options?: CommandOptions): SimInteraction;
  /** Any other dispatch, to the guild's shard (or shard 0 for null), to every session. */
  dispatch(guildId: string | null, event: string, data: unknown): number;
  /** Identified sessions with an open connection, by shard. */
  connectedShards(): ConnectedShard[];
}

const { GuildMembers, GuildMessages, DirectMessages, MessageContent } = GatewayIntentBits;

export function createSimulatorGateway(ctx: SimulatorContext, server: GatewayServer, interactions: InteractionRegistry): SimulatorGateway & StateChangeListener {
  const { state } = ctx;
  const membersIntent = (build: () => unknown) => (session: GatewaySession) => (session.hasIntent(GuildMembers) ? build() : null);

  const dispatchMessage = (message: SimMessage): void => {
    const data = messageCreateData(state, message);
    const mentionsBot = data.mentions.some((u) => u.id === state.bot.id);
    const exempt = message.guildId === null || message.authorId === state.bot.id || mentionsBot;
    const stripped = exempt ? data : withoutContent(data);
    server.dispatch(message.guildId, 'MESSAGE_CREATE', (session) => {
      if (!session.hasIntent(message.guildId === null ? DirectMessages : GuildMessages)) return null;
      return session.hasIntent(MessageContent) ? data : stripped;
    });
  };

  return {
    memberJoin(guildId, userId, options = {}) {
      const member = state.addMember(guildId, userId, options);
      server.dispatch(guildId, 'GUILD_MEMBER_ADD', membersIntent(() => memberAddData(state, member)));
      return member;
    },
    memberLeave(guildId, userId) {
      state.removeMember(guildId, userId);
      server.dispatch(guildId, 'GUILD_MEMBER_REMOVE', membersIntent(() => memberRemoveData(state, guildId, userId)));
    },
    message(guildId, channelId, userId, content) {
      if (state.channel(channelId).guildId !== guildId) throw new Error(`channel ${channelId} is not in guild ${guildId}`);
      state.member(guildId, userId);
      const message = state.addMessage({ channelId, authorId: userId, type: 0, content, embeds: [], components: [], flags: 0, webhookId: null, interactionId: null, nonce: null });
      dispatchMessage(message);
      return message;
    },
    directMessage(userId, content) {
      const channel = state.dmChannelWith(userId);
      const message = state.addMessage({ channelId: channel.id, authorId: userId, type: 0, content, embeds: [], components: [], flags: 0, webhookId: null, interactionId: null, nonce: null });
      dispatchMessage(message);
      return message;
    },
    interaction(guildId, channelId, userId, commandName, options) {
      if (state.channel(channelId).guildId !== guildId) throw new Error(`channel ${channelId} is not in guild ${guildId}`);
      state.member(guildId, userId);
      const registered = [...(state.guildCommands.get(guildId) ?? []), ...state.globalCommands].find((c) => c.name === commandName && (c.type ?? 1) === 1);
      const interaction = interactions.create({ applicationId: ctx.applicationId, type: 2, guildId, channelId, userId, data: { name: commandName } });
      const data = commandInteractionData(state, interaction, typeof registered?.id === 'string' ? registered.id : nextSnowflake(), options);
      server.dispatch(guildId, 'INTERACTION_CREATE', () => data);
      return interaction;
    },
    dispatch(guildId, event, data) {
      return server.dispatch(guildId, event, () => data);
    },
    connectedShards: () => server.connectedShards(),
    messageCreated: dispatchMessage,
    memberUpdated(member) {
      server.dispatch(member.guildId, 'GUILD_MEMBER_UPDATE', membersIntent(() => memberUpdateData(state, member)));
    },
  };
}
