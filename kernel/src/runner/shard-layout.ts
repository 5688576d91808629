/**
 * Which shard carries a guild: Discord's rule, `(guild_id >> 22) % shard_count`. A runner process
 * that runs a group of shards loads only the guilds of those shards.
 */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * Shard ids from text: `0,1,2`, a range `0-3`, or a mix (`0-1,4`). Throws on anything else or on
 * an id outside `[0, shardCount)`.
 */
export function parseShardList(text: string, shardCount: number): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a shard id or a range such as 0-3`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`the range ${part} runs backwards`);
    for (let id = from; id <= to; id++) {
      if (id >= shardCount) throw new Error(`shard ${id} does not exist with ${shardCount} shards (ids 0-${shardCount - 1})`);
      ids.add(id);
    }
  }
  if (ids.size === 0) throw new Error('no shard ids given');
  return [...ids].sort((a, b) => a - b);
}
