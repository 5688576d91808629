import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { GUILD_CHANGED_CHANNEL } from '../runner/guild-change-notifier.ts';
import type { SessionStore } from '../auth/session-store.ts';
import type { GuildSnapshots } from './guild-snapshots.ts';

/** Where an API instance announces a logout, so every instance forgets the session at once. */
export const SESSION_ENDED_CHANNEL = 'session-ended';

/**
 * Keeps every API instance's read caches honest: a guild-changed notice (published after every
 * committed change) drops that guild's snapshot; a session-ended notice drops that session; a
 * (re)connection to Redis drops everything, since notices may have been missed meanwhile.
 * Uses its own Redis connection: a subscribed connection can do nothing else.
 */
export class ReadModelInvalidation {
  readonly #subscriber: Redis;
  readonly #prefix: string;

  private constructor(subscriber: Redis, prefix: string) {
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  static async start(redis: Redis, prefix: string, snapshots: GuildSnapshots, sessions: SessionStore, log: FastifyBaseLogger): Promise<ReadModelInvalidation> {
    const subscriber = redis.duplicate({ lazyConnect: true });
    const guildChannel = prefix + GUILD_CHANGED_CHANNEL;
    const sessionChannel = prefix + SESSION_ENDED_CHANNEL;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === guildChannel) snapshots.invalidate(message);
      else if (channel === sessionChannel) sessions.forget(message);
    });
    subscriber.on('ready', () => {
      snapshots.clear();
      sessions.forgetAll();
    });
    subscriber.on('error', (error: Error) => log.warn({ err: error }, 'read-model invalidation: Redis connection problem'));
    await subscriber.connect();
    await subscriber.subscribe(guildChannel, sessionChannel);
    return new ReadModelInvalidation(subscriber, prefix);
  }

  async stop(): Promise<void> {
    await this.#subscriber.unsubscribe().catch(() => {});
    this.#subscriber.disconnect();
  }

  get channelPrefix(): string {
    return this.#prefix;
  }
}
