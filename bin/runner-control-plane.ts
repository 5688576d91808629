/**
 * The runner's side of the control plane, over HTTP and Redis: desired state from the API's
 * `/internal/runner` routes, incidents to `POST /v1/incidents`, and change notices from Redis
 * pub/sub. The kernel's runner sees only the interfaces (DesiredStateSource, RunnerIncidentReporter,
 * GuildChangeFeed); it knows nothing of these routes.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { subscribeGuildChanges } from '@townesdev/api';
import type { DesiredPlugin, DesiredStateSource, GuildChangeFeed, RunnerIncident, RunnerIncidentReporter, UsageCount } from '@townesdev/kernel/runner';

export class RunnerApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'RunnerApiError';
    this.status = status;
  }
}

/** One client for the runner's routes, authenticated with the runner token. */
export class RunnerApiClient implements DesiredStateSource, RunnerIncidentReporter {
  readonly #base: string;
  readonly #token: string;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  /** The tenant of each guild, learnt from its desired state: an incident must name it. */
  readonly #tenants = new Map<string, string | null>();

  constructor(options: { apiUrl: string; token: string; logger: Logger; timeoutMs?: number }) {
    this.#base = options.apiUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const reply = await fetch(`${this.#base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await reply.text();
    if (!reply.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not the API's error shape: keep the text
      }
      throw new RunnerApiError(reply.status, `${method} ${path}: ${reply.status} ${message}`);
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  async guilds(): Promise<string[]> {
    const all: string[] = [];
    let after: string | null = null;
    do {
      const page = (await this.#call('GET', `/internal/runner/guilds?limit=1000${after ? `&after=${after}` : ''}`)) as { guilds: string[]; next: string | null };
      all.push(...page.guilds);
      after = page.next;
    } while (after);
    return all;
  }

  async desiredState(guildId: string): Promise<{ plugins: DesiredPlugin[] }> {
    const state = (await this.#call('GET', `/internal/runner/guilds/${encodeURIComponent(guildId)}/desired-state`)) as { tenantId?: string | null; plugins: DesiredPlugin[] };
    this.#tenants.set(guildId, state.tenantId ?? null);
    return { plugins: state.plugins };
  }

  async report(incident: RunnerIncident): Promise<void> {
    if (!this.#tenants.has(incident.guildId)) await this.desiredState(incident.guildId);
    const tenantId = this.#tenants.get(incident.guildId);
    if (!tenantId) {
      this.#logger.warn({ guildId: incident.guildId, title: incident.title }, 'no tenant owns this guild; the incident is only logged');
      return;
    }
    await this.#call('POST', '/v1/incidents', { tenantId, guildId: incident.guildId, severity: incident.severity, title: incident.title.slice(0, 200), detail: incident.detail.slice(0, 10_000) });
  }

  /** Per-guild usage counts for the API's daily counters (the runner batches them). */
  async reportUsage(counts: UsageCount[]): Promise<void> {
    if (counts.length > 0) await this.#call('POST', '/internal/runner/usage', { counts });
  }
}

/** Change notices from the API over Redis pub/sub, on a connection of their own. */
export function redisChangeFeed(redisUrl: string, prefix: string): GuildChangeFeed {
  return {
    async subscribe(onGuild, onResync) {
      const subscriber = new Redis(redisUrl, { lazyConnect: true });
      await subscriber.connect();
      // the first 'ready' has passed: later ones are reconnections, after which notices may be missing
      const unsubscribe = await subscribeGuildChanges(subscriber, prefix, onGuild, onResync);
      return async () => {
        await unsubscribe().catch(() => {});
        subscriber.disconnect();
      };
    },
  };
}
