/**
 * Answering interactions: the initial response (`POST /interactions/:id/:token/callback`) and the
 * followup webhook (`POST /webhooks/:appId/:token`, `GET/PATCH .../messages/@original|:id`).
 * None of these take the bot token (discord.js sends them unauthenticated); the interaction
 * token is the credential.
 */
import { apiMessage } from './api-objects.ts';
import { invalidFormBody, unknownMessage } from './discord-errors.ts';
import type { Router, SimReply } from './http-routing.ts';
import type { InteractionRegistry, SimInteraction } from './interaction-registry.ts';
import { EPHEMERAL_FLAG, readMessageInput, type MessageInput } from './message-input.ts';
import type { SimMessage } from './simulated-entities.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** Callback types: 1 PONG, 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
const CALLBACK_TYPES = new Set([1, 4, 5, 6, 7, 8, 9]);
/** Message type 20: CHAT_INPUT_COMMAND, a reply to a slash command. */
const REPLY_MESSAGE_TYPE = 20;

export function registerInteractionRoutes(router: Router, ctx: SimulatorContext, interactions: InteractionRegistry): void {
  router.add('POST', '/interactions/:interactionId/:interactionToken/callback', (request) => {
    const body = (request.body ?? {}) as { type?: unknown; data?: unknown };
    if (typeof body.type !== 'number' || !CALLBACK_TYPES.has(body.type)) throw invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 8, 9}.');
    const messageInput = body.type === 4 ? readMessageInput(body.data) : null;
    const interaction = interactions.acknowledge(request.params.interactionId as string, request.params.interactionToken as string, body.type);
    let message: SimMessage | null = null;
    if (messageInput) {
      message = createReply(ctx, interaction, messageInput);
      interaction.originalMessageId = message.id;
    }
    if (request.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      json: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          ...(message ? { response_message_id: message.id, response_message_loading: false, response_message_ephemeral: (message.flags & EPHEMERAL_FLAG) !== 0 } : {}),
          ...(body.type === 5 ? { response_message_loading: true } : {}),
        },
        ...(message ? { resource: { type: body.type, message: apiMessage(ctx.state, message) } } : {}),
      },
    };
  });

  router.add('POST', '/webhooks/:webhookId/:webhookToken', (request) => {
    const interaction = interactions.forWebhook(request.params.webhookId as string, request.params.webhookToken as string);
    const message = createReply(ctx, interaction, readMessageInput(request.body));
    return request.query.get('wait') === 'false' ? { status: 204 } : { status: 200, json: apiMessage(ctx.state, message) };
  });

  router.add('GET', '/webhooks/:webhookId/:webhookToken/messages/:messageId', (request) => {
    const interaction = interactions.forWebhook(request.params.webhookId as string, request.params.webhookToken as string);
    return { status: 200, json: apiMessage(ctx.state, webhookMessage(ctx, interaction, request.params.messageId as string)) };
  });

  router.add('PATCH', '/webhooks/:webhookId/:webhookToken/messages/:messageId', (request): SimReply => {
    const interaction = interactions.forWebhook(request.params.webhookId as string, request.params.webhookToken as string);
    const input = readMessageInput(request.body, { allowEmpty: true });
    const messageId = request.params.messageId as string;
    // Editing the original of a deferred reply is what makes the reply message appear.
    if (messageId === '@original' && interaction.originalMessageId === null) {
      const created = createReply(ctx, interaction, input);
      interaction.originalMessageId = created.id;
      return { status: 200, json: apiMessage(ctx.state, created) };
    }
    const message = webhookMessage(ctx, interaction, messageId);
    const data = (request.body ?? {}) as Record<string, unknown>;
    if ('content' in data) message.content = input.content;
    if ('embeds' in data) message.embeds = input.embeds;
    if ('components' in data) message.components = input.components;
    message.editedTimestamp = new Date().toISOString();
    return { status: 200, json: apiMessage(ctx.state, message) };
  });
}

function createReply(ctx: SimulatorContext, interaction: SimInteraction, input: MessageInput): SimMessage {
  const message = ctx.state.addMessage({
    channelId: interaction.channelId,
    authorId: ctx.state.bot.id,
    type: REPLY_MESSAGE_TYPE,
    content: input.content,
    embeds: input.embeds,
    components: input.components,
    flags: input.flags & EPHEMERAL_FLAG,
    webhookId: interaction.applicationId,
    interactionId: interaction.id,
    nonce: null,
  });
  // Ephemeral replies are seen only by the invoking user: no MESSAGE_CREATE for the guild.
  if ((message.flags & EPHEMERAL_FLAG) === 0) ctx.changes.messageCreated(message);
  return message;
}

function webhookMessage(ctx: SimulatorContext, interaction: SimInteraction, messageId: string): SimMessage {
  const id = messageId === '@original' ? interaction.originalMessageId : messageId;
  const message = id === null ? undefined : ctx.state.message(id);
  if (message?.interactionId !== interaction.id) throw unknownMessage();
  return message;
}
