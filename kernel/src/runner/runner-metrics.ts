import { LatencyWindow } from './latency-window.ts';

export interface ShardStatus {
  id: number;
  /** discord.js's Status (0 Ready); see `statusName`. */
  status: string;
  /** Last heartbeat round trip in ms; -1 before the first ACK. */
  pingMs: number;
  guilds: number;
}

export interface MetricsSnapshot {
  uptimeSeconds: number;
  events: { total: number; byType: Record<string, number>; refused: number; failed: number };
  commands: { total: number; replied: number; deferred: number; failed: number };
  actions: { enqueued: number; duplicates: number; rejected: number; delivered: number; skippedDelivered: number; refused: number; failedPermanently: number; retried: number };
  queue: { depth: number | null; latencyMs: { p50: number | null; p99: number | null; samples: number } };
  shards: ShardStatus[];
  /** Events per guild since start, the busiest first (at most 20): the guild tags of the periodic log. */
  busiestGuilds: Array<{ guildId: string; events: number }>;
}

/**
 * What the runner counts: events in, commands answered, actions through the queue, queue latency
 * (enqueue to Discord accepting), and shard heartbeats (read live from the gateway adapter).
 * Plain counters in memory; `/metrics` serves the snapshot as JSON and the runner logs it.
 */
export class RunnerMetrics {
  readonly #started = Date.now();
  readonly events = { total: 0, byType: {} as Record<string, number>, refused: 0, failed: 0 };
  readonly commands = { total: 0, replied: 0, deferred: 0, failed: 0 };
  readonly actions = { enqueued: 0, duplicates: 0, rejected: 0, delivered: 0, skippedDelivered: 0, refused: 0, failedPermanently: 0, retried: 0 };
  readonly queueLatency = new LatencyWindow();
  readonly #byGuild = new Map<string, number>();
  shards: () => ShardStatus[] = () => [];
  /** Per-guild usage for the control plane (events, delivered actions); null when not reported. */
  usage: { count(guildId: string, metric: 'events' | 'actions'): void } | null = null;
  queueDepth: () => number | null = () => null;

  event(type: string, guildId: string): void {
    this.events.total++;
    this.events.byType[type] = (this.events.byType[type] ?? 0) + 1;
    this.#byGuild.set(guildId, (this.#byGuild.get(guildId) ?? 0) + 1);
    this.usage?.count(guildId, 'events');
  }

  actionDelivered(guildId: string): void {
    this.actions.delivered++;
    this.usage?.count(guildId, 'actions');
  }

  snapshot(): MetricsSnapshot {
    const busiest = [...this.#byGuild].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([guildId, events]) => ({ guildId, events }));
    return {
      uptimeSeconds: Math.round((Date.now() - this.#started) / 1000),
      events: { ...this.events, byType: { ...this.events.byType } },
      commands: { ...this.commands },
      actions: { ...this.actions },
      queue: { depth: this.queueDepth(), latencyMs: { p50: this.queueLatency.percentile(0.5), p99: this.queueLatency.percentile(0.99), samples: this.queueLatency.count } },
      shards: this.shards(),
      busiestGuilds: busiest,
    };
  }
}
