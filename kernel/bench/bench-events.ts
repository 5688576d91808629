import type { MessageCreateEvent } from '@townesdev/plugin-contract';

/** A message of about 1 KB of JSON, like a real MESSAGE_CREATE after normalisation. */
export function messageEvent(guildId: string, userIndex: number, at: number): string {
  const event: MessageCreateEvent = {
    id: String(1_200_000_000_000_000_000n + BigInt(at)),
    guildId,
    channelId: '300000000000000001',
    author: { id: String(400_000_000_000_000_000n + BigInt(userIndex)), username: `member${userIndex}`, globalName: `Member ${userIndex}`, bot: false },
    memberRoles: ['500000000000000001', '500000000000000002'],
    content: 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(14),
    createdAt: new Date(1_750_000_000_000 + at * 1000).toISOString(),
  };
  return JSON.stringify(event);
}

export function guildId(i: number): string {
  return String(200_000_000_000_000_000n + BigInt(i));
}

/** `count` events spread over `guilds` guilds and `usersPerGuild` members, a second apart. */
export function eventStream(count: number, guilds: number, usersPerGuild: number): Array<{ guildId: string; json: string; id: string }> {
  const out: Array<{ guildId: string; json: string; id: string }> = [];
  for (let i = 0; i < count; i++) {
    const g = guildId(i % guilds);
    out.push({ guildId: g, json: messageEvent(g, (i * 7919) % usersPerGuild, i), id: String(i) });
  }
  return out;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
