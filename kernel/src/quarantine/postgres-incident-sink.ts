import { KernelIncidentRecord } from '../storage/entities/index.ts';
import type { KernelOrm } from '../storage/kernel-orm.ts';
import type { IncidentSink, KernelIncident } from './incident.ts';

export interface IncidentQuery {
  /** One guild's incidents; `null` for those not tied to a guild; omitted for all. */
  guildId?: string | null;
  /** Newest first, at most this many (default 100). */
  limit?: number;
}

/** Incidents in PostgreSQL: the runner's own record, kept whether or not the API hears of them. */
export class PostgresIncidentSink implements IncidentSink {
  readonly #orm: KernelOrm;

  constructor(orm: KernelOrm) {
    this.#orm = orm;
  }

  async record(incident: KernelIncident): Promise<void> {
    await this.#orm.em.fork().insert(KernelIncidentRecord, {
      plugin: incident.plugin,
      version: incident.version,
      guildId: incident.guildId,
      severity: incident.severity,
      kind: incident.kind,
      message: incident.message,
      at: incident.at,
    });
  }

  /** Recent incidents, for operators and tests (served by the (guild_id, at) index). */
  async list(query: IncidentQuery = {}): Promise<KernelIncident[]> {
    const where = query.guildId === undefined ? {} : { guildId: query.guildId };
    const rows = await this.#orm.em
      .fork()
      .find(KernelIncidentRecord, where, { orderBy: { at: 'desc', id: 'desc' }, limit: query.limit ?? 100 });
    return rows.map((r) => ({
      plugin: r.plugin,
      version: r.version,
      guildId: r.guildId ?? null,
      severity: r.severity,
      kind: r.kind,
      message: r.message,
      at: r.at,
    }));
  }
}
