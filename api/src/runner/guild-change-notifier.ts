import type { Redis } from 'ioredis';

/** The Redis channel (after the deployment's prefix) on which the API names each guild that changed. */
export const GUILD_CHANGED_CHANNEL = 'guild-changed';

/**
 * Tells runners that a guild's desired state changed: one message naming the guild, so a runner
 * re-reads that guild only. Pub/sub is fire-and-forget; a runner that was disconnected re-reads
 * everything when it reconnects (see subscribeGuildChanges).
 */
export class GuildChangeNotifier {
  readonly #redis: Redis;
  readonly #channel: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#channel = prefix + GUILD_CHANGED_CHANNEL;
  }

  async guildChanged(guildId: string): Promise<void> {
    await this.#redis.publish(this.#channel, guildId);
  }
}

/**
 * A runner's side: call `onGuild` for each guild named on the channel, and `onResync` after every
 * (re)connection, when notices may have been missed. Needs its own Redis connection (a subscribed
 * connection can do nothing else). Returns the unsubscribe function.
 */
export async function subscribeGuildChanges(subscriber: Redis, prefix: string, onGuild: (guildId: string) => void, onResync: () => void): Promise<() => Promise<void>> {
  const channel = prefix + GUILD_CHANGED_CHANNEL;
  const onMessage = (from: string, guildId: string) => {
    if (from === channel) onGuild(guildId);
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', onResync);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', onMessage);
    subscriber.off('ready', onResync);
    await subscriber.unsubscribe(channel);
  };
}
