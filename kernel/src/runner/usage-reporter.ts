import type { Logger } from 'pino';

export interface UsageCount {
  guildId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  metric: 'events' | 'actions';
  value: number;
}

/** Where usage goes (the binary posts it to the API's `/internal/runner/usage`). */
export interface UsageSink {
  report(counts: UsageCount[]): Promise<void>;
}

/** The API takes at most this many counts in one report. */
const MAX_BATCH = 10_000;

/**
 * Counts what the runner does per guild and UTC day (events handled, actions delivered) and hands
 * the counts to the control plane every interval, and once more on stop. A report that fails is
 * kept and added to the next one, so a short API outage loses no count.
 */
export class UsageReporter {
  readonly #sink: UsageSink;
  readonly #logger: Logger;
  #pending = new Map<string, UsageCount>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { sink: UsageSink; logger: Logger; everyMs: number }) {
    this.#sink = options.sink;
    this.#logger = options.logger;
    this.#timer = setInterval(() => void this.flush(), options.everyMs);
    this.#timer.unref();
  }

  count(guildId: string, metric: UsageCount['metric'], value = 1, day = new Date().toISOString().slice(0, 10)): void {
    const key = `${guildId}\u0000${day}\u0000${metric}`;
    const seen = this.#pending.get(key);
    if (seen) seen.value += value;
    else this.#pending.set(key, { guildId, day, metric, value });
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const counts = [...batch.values()];
    try {
      for (let i = 0; i < counts.length; i += MAX_BATCH) await this.#sink.report(counts.slice(i, i + MAX_BATCH));
    } catch (error) {
      // put them back: the next flush sends them with whatever came meanwhile
      for (const c of counts) this.count(c.guildId, c.metric, c.value, c.day);
      this.#logger.warn({ err: error, counts: counts.length }, 'usage could not be reported; kept for the next report');
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
