import { EVERY_GUILD, PluginQuarantine } from '../storage/entities/index.ts';
import type { KernelOrm } from '../storage/kernel-orm.ts';
import type { QuarantineRecord, QuarantineStore } from './incident.ts';

const toColumn = (guildId: string | null): string => guildId ?? EVERY_GUILD;
const fromColumn = (guildId: string): string | null => (guildId === EVERY_GUILD ? null : guildId);

/**
 * Quarantines in PostgreSQL, so a runner that restarts (or another runner taking over a guild)
 * does not load a plugin version that was stopped. A quarantine "everywhere" is stored with
 * guild_id '*', since the column is part of the primary key.
 */
export class PostgresQuarantineStore implements QuarantineStore {
  readonly #orm: KernelOrm;

  constructor(orm: KernelOrm) {
    this.#orm = orm;
  }

  async list(): Promise<QuarantineRecord[]> {
    const rows = await this.#orm.em
      .fork()
      .find(PluginQuarantine, {}, { orderBy: { plugin: 'asc', version: 'asc', guildId: 'asc' } });
    return rows.map((r) => ({
      plugin: r.plugin,
      version: r.version,
      guildId: fromColumn(r.guildId),
      reason: r.reason,
      message: r.message,
      since: r.since,
    }));
  }

  /** Replaces any quarantine of the same plugin version and scope (the newest reason wins). */
  async put(record: QuarantineRecord): Promise<void> {
    await this.#orm.em.fork().upsert(PluginQuarantine, {
      plugin: record.plugin,
      version: record.version,
      guildId: toColumn(record.guildId),
      reason: record.reason,
      message: record.message,
      since: record.since,
    });
  }

  async remove(plugin: string, version: string, guildId: string | null): Promise<void> {
    await this.#orm.em.fork().nativeDelete(PluginQuarantine, { plugin, version, guildId: toColumn(guildId) });
  }
}
