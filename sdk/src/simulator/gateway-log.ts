/**
 * What the gateway sent and received, per shard, in order (`sim.gatewayLog`), so tests can assert
 * that discord.js sent RESUME rather than IDENTIFY, or which events a shard was given. Tokens in
 * IDENTIFY and RESUME are masked. Bounded, so a long benchmark does not grow it without end.
 */
export interface GatewayLogEntry {
  at: number;
  direction: 'sent' | 'received';
  shardId: number | null;
  sessionId: string | null;
  op: number;
  /** Dispatch event name (op 0). */
  t: string | null;
  s: number | null;
  d: unknown;
}

export class GatewayLog {
  readonly entries: GatewayLogEntry[] = [];
  readonly limit: number;

  constructor(limit = 10_000) {
    this.limit = limit;
  }

  add(entry: GatewayLogEntry): void {
    this.entries.push(entry);
    // Trim in batches: one splice per limit/4 entries keeps a busy gateway's logging O(1) per event.
    if (this.entries.length > this.limit + Math.ceil(this.limit / 4)) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Entries filtered by direction, op, event name and shard. */
  matching(filter: { direction?: 'sent' | 'received'; op?: number; t?: string; shardId?: number }): GatewayLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.direction === undefined || e.direction === filter.direction) &&
        (filter.op === undefined || e.op === filter.op) &&
        (filter.t === undefined || e.t === filter.t) &&
        (filter.shardId === undefined || e.shardId === filter.shardId),
    );
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** IDENTIFY and RESUME carry the bot token: keep its presence, not its value. */
export function maskGatewayData(op: number, d: unknown): unknown {
  if ((op === 2 || op === 6) && d !== null && typeof d === 'object' && 'token' in d) return { ...d, token: '[masked]' };
  return d;
}
