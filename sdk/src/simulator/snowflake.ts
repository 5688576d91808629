/**
 * Discord snowflakes for the simulator's users, guilds, channels, messages and interactions.
 *
 * The timestamp part matters: a guild's gateway shard is `(guild_id >> 22) % shard_count`, so
 * tests that want a guild on a given shard build its id with {@link snowflakeForShard}.
 */
export const DISCORD_EPOCH_MS = 1420070400000n;

let lastTimestamp = 0n;
let increment = 0n;

/** A new, strictly increasing snowflake for the current time. */
export function nextSnowflake(): string {
  let timestamp = BigInt(Date.now()) - DISCORD_EPOCH_MS;
  if (timestamp < lastTimestamp) timestamp = lastTimestamp;
  if (timestamp === lastTimestamp) {
    increment = (increment + 1n) & 0xfffn;
    // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
    if (increment === 0n) timestamp += 1n;
  } else {
    increment = 0n;
  }
  lastTimestamp = timestamp;
  return ((timestamp << 22n) | increment).toString();
}

/** The gateway shard that receives a guild's events (Discord's sharding formula). */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A fresh snowflake whose guild would land on `shardId` of `shardCount` shards. */
export function snowflakeForShard(shardId: number, shardCount: number): string {
  for (;;) {
    const id = nextSnowflake();
    if (shardForGuild(id, shardCount) === shardId) return id;
    // Move the timestamp part on to the wanted residue instead of spinning on the clock.
    const ms = BigInt(id) >> 22n;
    const step = (BigInt(shardId) - (ms % BigInt(shardCount)) + BigInt(shardCount)) % BigInt(shardCount);
    lastTimestamp = ms + step;
    increment = 0n;
    const candidate = (lastTimestamp << 22n).toString();
    if (shardForGuild(candidate, shardCount) === shardId) return candidate;
  }
}

/** When a snowflake was made, as an ISO 8601 string (Discord's `joined_at`, `timestamp`). */
export function snowflakeTime(id: string): string {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS)).toISOString();
}
