import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { ActionEnvelope } from '../actions/action-sink.ts';
import { nonceFor } from './idempotency.ts';

type MessageBody = { content?: string; embeds?: unknown[] };

/**
 * Plugins may mention members (a level-up names its member) but never @everyone, @here or a
 * role: a plugin's text must not be able to ping a whole server.
 */
const ALLOWED_MENTIONS = { parse: ['users'] } as const;

/**
 * Performs one plugin action on Discord through discord.js's REST client, so its rate-limit
 * buckets (and 429 handling) apply to every request. Messages carry a nonce derived from the
 * action's key with `enforce_nonce`, so Discord itself returns the first message when a retried
 * job sends the same one again. Role changes are idempotent on Discord's side (PUT/DELETE).
 */
export class DiscordActions {
  readonly #rest: REST;
  /** DM channel per user: opening one is a request of its own. */
  readonly #dmChannels = new Map<string, string>();

  constructor(rest: REST) {
    this.#rest = rest;
  }

  async perform(envelope: Pick<ActionEnvelope, 'key' | 'guildId' | 'action'>): Promise<void> {
    const { key, guildId, action } = envelope;
    switch (action.type) {
      case 'sendMessage':
        await this.#send(action.channelId, action.message, key);
        return;
      case 'sendDirectMessage':
        await this.#send(await this.#dmChannel(action.userId), action.message, key);
        return;
      case 'addRole':
      case 'removeRole': {
        const route = Routes.guildMemberRole(guildId, action.userId, action.roleId);
        const options = action.reason ? { reason: action.reason } : {};
        if (action.type === 'addRole') await this.#rest.put(route, options);
        else await this.#rest.delete(route, options);
        return;
      }
    }
  }

  async #send(channelId: string, message: MessageBody, key: string): Promise<void> {
    await this.#rest.post(Routes.channelMessages(channelId), {
      body: { ...message, allowed_mentions: ALLOWED_MENTIONS, nonce: nonceFor(key), enforce_nonce: true },
    });
  }

  async #dmChannel(userId: string): Promise<string> {
    const known = this.#dmChannels.get(userId);
    if (known) return known;
    const channel = (await this.#rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
    this.#dmChannels.set(userId, channel.id);
    return channel.id;
  }
}
