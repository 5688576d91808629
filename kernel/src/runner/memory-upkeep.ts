import type { Logger } from 'pino';
import type { HostStats } from '../sandbox/sandbox-protocol.ts';

export interface MemoryUpkeepOptions {
  /** Kernel.relieveMemory: every process gives back what bursts left behind; the hosts' figures. */
  relieve(): Promise<HostStats[]>;
  /** Kernel.sandboxStats: the hosts' figures, cheaply. */
  stats(): Promise<HostStats[]>;
  logger: Logger;
  /** How often RSS is looked at. */
  everyMs?: number;
  /** Growth of the runner's and its hosts' RSS since the last relief that calls for another. */
  growthBytes?: number;
}

const total = (hosts: HostStats[]): number => process.memoryUsage.rss() + hosts.reduce((sum, h) => sum + h.rssBytes, 0);

/**
 * Keeps the runner's memory near what it uses. Loading thousands of guilds, or a flood of
 * events, leaves V8 holding pages it no longer needs (see sandbox/heap-relief.ts). A relief
 * costs each process two full collections (about 100 ms at 10,000 guilds) and the code V8 then
 * compiles again, so it never runs while the runner is starting, nor at a check that finds
 * events queued or running in a sandbox host: the first check comes `everyMs` after start (and
 * relieves, since nothing has been given back yet), later ones only when RSS has grown well past
 * where the last relief left it.
 */
export class MemoryUpkeep {
  readonly #o: Required<MemoryUpkeepOptions>;
  /** RSS where the last relief left the runner and its hosts; null until the first. */
  #baseline: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;

  constructor(options: MemoryUpkeepOptions) {
    this.#o = { everyMs: 5 * 60_000, growthBytes: 64 * 2 ** 20, ...options };
  }

  /** Relieve now (one at a time; `hostsBefore`: figures just taken); failures are logged, never thrown. */
  relieve(reason: string, hostsBefore?: HostStats[]): Promise<void> {
    this.#running ??= this.#relieve(reason, hostsBefore).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #relieve(reason: string, hostsBefore?: HostStats[]): Promise<void> {
    try {
      const before = total(hostsBefore ?? (await this.#o.stats()));
      this.#baseline = total(await this.#o.relieve());
      this.#o.logger.info({ reason, rssBeforeMb: Math.round(before / 2 ** 20), rssAfterMb: Math.round(this.#baseline / 2 ** 20) }, 'memory given back to the system');
    } catch (error) {
      this.#o.logger.warn({ err: error, reason }, 'memory relief failed');
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#check(), this.#o.everyMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    try {
      const hosts = await this.#o.stats();
      // The collections would pause events in flight: a busy runner waits for a quieter check.
      if (hosts.some((h) => h.queued > 0)) return;
      if (this.#baseline === null) await this.relieve('first check since start', hosts);
      else if (total(hosts) - this.#baseline > this.#o.growthBytes) await this.relieve('RSS grew since the last relief', hosts);
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'memory check failed');
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
