/**
 * Channels and messages for the bot: `GET /channels/:id`, `POST /channels/:id/messages` (with
 * Discord's permission checks and `enforce_nonce` de-duplication) and `POST /users/@me/channels`
 * (open a DM). A sent message is also dispatched on the gateway as MESSAGE_CREATE, as Discord does.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { apiChannel, apiMessage } from './api-objects.ts';
import { cannotDmUser, invalidFormBody, missingAccess, missingPermissions } from './discord-errors.ts';
import type { Router } from './http-routing.ts';
import { readMessageInput } from './message-input.ts';
import { requireBot } from './rest-auth.ts';
import type { SimMessage } from './simulated-entities.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** How long Discord remembers a nonce for `enforce_nonce` (a few minutes). */
const NONCE_MEMORY_MS = 5 * 60_000;

export function registerMessageRoutes(router: Router, ctx: SimulatorContext): void {
  router.add('GET', '/channels/:channelId', (request) => {
    requireBot(request, ctx);
    const channel = ctx.state.channel(request.params.channelId as string);
    requireChannelPermission(ctx, channel.id, 0n);
    return { status: 200, json: apiChannel(ctx.state, channel) };
  });

  router.add('POST', '/channels/:channelId/messages', (request) => {
    requireBot(request, ctx);
    const channelId = request.params.channelId as string;
    const channel = ctx.state.channel(channelId);
    const input = readMessageInput(request.body);
    requireChannelPermission(ctx, channelId, PermissionFlagsBits.SendMessages);
    if (channel.guildId === null && ctx.state.user(channel.recipientIds[0] as string).bot) throw cannotDmUser();
    if (input.enforceNonce && input.nonce !== null) {
      const earlier = recentByNonce(ctx, channelId, input.nonce);
      if (earlier) return { status: 200, json: apiMessage(ctx.state, earlier) };
    }
    const message = ctx.state.addMessage({
      channelId,
      authorId: ctx.state.bot.id,
      type: 0,
      content: input.content,
      embeds: input.embeds,
      components: input.components,
      flags: input.flags & ~64, // EPHEMERAL only exists for interaction replies
      webhookId: null,
      interactionId: null,
      nonce: input.nonce,
    });
    ctx.changes.messageCreated(message);
    return { status: 200, json: apiMessage(ctx.state, message) };
  });

  router.add('POST', '/users/@me/channels', (request) => {
    requireBot(request, ctx);
    const body = (request.body ?? {}) as { recipient_id?: unknown };
    if (typeof body.recipient_id !== 'string') throw invalidFormBody('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
    return { status: 200, json: apiChannel(ctx.state, ctx.state.dmChannelWith(body.recipient_id)) };
  });
}

/**
 * Discord's order of refusals: a channel the bot cannot see is "Missing Access" (50001); one it
 * sees but may not act in is "Missing Permissions" (50013).
 */
export function requireChannelPermission(ctx: SimulatorContext, channelId: string, needed: bigint): void {
  const channel = ctx.state.channel(channelId);
  if (channel.guildId !== null && !ctx.state.guild(channel.guildId).members.has(ctx.state.bot.id)) throw missingAccess();
  const permissions = ctx.state.channelPermissionsOf(channelId, ctx.state.bot.id);
  if ((permissions & PermissionFlagsBits.ViewChannel) === 0n) throw missingAccess();
  if ((permissions & needed) !== needed) {
    ctx.logger.debug({ channelId, needed: needed.toString() }, 'discord simulator: missing permissions');
    throw missingPermissions();
  }
}

/** Discord remembers nonces for a few minutes: an older message with the same nonce does not count. */
function recentByNonce(ctx: SimulatorContext, channelId: string, nonce: string): SimMessage | undefined {
  const earlier = ctx.state.messageByNonce(channelId, ctx.state.bot.id, nonce);
  return earlier && Date.parse(earlier.timestamp) >= Date.now() - NONCE_MEMORY_MS ? earlier : undefined;
}
