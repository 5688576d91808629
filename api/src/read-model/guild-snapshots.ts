import type { GuardedGuild } from '../auth/guild-guard.ts';
import type { InstallView } from '../marketplace/install-schemas.ts';
import { installView } from '../marketplace/install-view.ts';
import type { ApiOrm } from '../storage/api-orm.ts';
import { Guild, PluginInstallRecord, Tenant } from '../storage/entities/index.ts';
import { dailyUsage, daysBefore, utcToday, type DailyUsage } from '../usage/usage-counters.ts';

/** A guild as the read routes show it: whose it is, its plan, its plugins. */
export interface GuildSnapshot {
  guild: GuardedGuild;
  installs: InstallView[];
}

export interface GuildSnapshotsOptions {
  /** How long a guild's usage figures are reused (runners report in batches anyway). Default 15 s. */
  usageTtlMs?: number;
  /** At most this many guilds are kept; the oldest go first. Default 10,000. */
  maxGuilds?: number;
  /** Keep nothing (every read goes to PostgreSQL). */
  disabled?: boolean;
}

/**
 * The read side of guilds (GET /v1/assets/:guildId and the guard of read routes): each guild's
 * snapshot is read from PostgreSQL once and kept until a change notice names the guild (every
 * API instance hears the notices on Redis, see ReadModelInvalidation), so the web app's frequent
 * reads cost no query. Writes never read from here: they lock their rows in PostgreSQL.
 */
export class GuildSnapshots {
  readonly #orm: ApiOrm;
  readonly #snapshots = new Map<string, Promise<GuildSnapshot | null>>();
  readonly #usage = new Map<string, { at: number; days: Promise<DailyUsage[]> }>();
  readonly #usageTtlMs: number;
  readonly #max: number;
  readonly #disabled: boolean;

  constructor(orm: ApiOrm, options: GuildSnapshotsOptions = {}) {
    this.#orm = orm;
    this.#usageTtlMs = options.usageTtlMs ?? 15_000;
    this.#max = options.maxGuilds ?? 10_000;
    this.#disabled = options.disabled ?? false;
  }

  snapshot(guildId: string): Promise<GuildSnapshot | null> {
    if (this.#disabled) return this.#load(guildId);
    let cached = this.#snapshots.get(guildId);
    if (!cached) {
      const loading = this.#load(guildId);
      cached = loading;
      // neither a failed read nor "no such guild" is kept: a login may claim the guild any moment
      loading.then(
        (s) => s === null && this.#snapshots.get(guildId) === loading && this.#snapshots.delete(guildId),
        () => this.#snapshots.get(guildId) === loading && this.#snapshots.delete(guildId),
      );
      this.#remember(this.#snapshots, guildId, cached);
    }
    return cached;
  }

  /** The last 7 UTC days of the guild's usage, reused for usageTtlMs. */
  recentUsage(guildId: string): Promise<DailyUsage[]> {
    const hit = this.#usage.get(guildId);
    if (hit && Date.now() - hit.at < this.#usageTtlMs) return hit.days;
    const to = utcToday();
    const days = dailyUsage(this.#orm.em.fork(), guildId, daysBefore(to, 6), to);
    days.catch(() => this.#usage.delete(guildId));
    if (!this.#disabled) this.#remember(this.#usage, guildId, { at: Date.now(), days });
    return days;
  }

  /** Forget a guild (a change notice named it). */
  invalidate(guildId: string): void {
    this.#snapshots.delete(guildId);
  }

  clear(): void {
    this.#snapshots.clear();
    this.#usage.clear();
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= this.#max) map.delete(map.keys().next().value as string);
    map.set(key, value);
  }

  async #load(guildId: string): Promise<GuildSnapshot | null> {
    const em = this.#orm.em.fork();
    const row = await em.findOne(Guild, { id: guildId });
    if (!row) return null;
    const [tenant, installs] = await Promise.all([
      em.findOneOrFail(Tenant, { id: row.tenantId }),
      em.find(PluginInstallRecord, { guildId }, { orderBy: { plugin: 'asc' } }),
    ]);
    return { guild: { id: row.id, name: row.name, tenantId: row.tenantId, plan: tenant.plan }, installs: installs.map(installView) };
  }
}
