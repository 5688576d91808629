import type { QuarantineRecord, QuarantineStore } from './incident.ts';

const recordKey = (plugin: string, version: string, guildId: string | null): string => `${plugin}\u0000${version}\u0000${guildId ?? ''}`;

/** Quarantines in memory: development, the SDK harness, tests. Nothing survives a restart. */
export class MemoryQuarantineStore implements QuarantineStore {
  readonly #records = new Map<string, QuarantineRecord>();

  async list(): Promise<QuarantineRecord[]> {
    return [...this.#records.values()].map((r) => ({ ...r }));
  }

  /** Replaces any quarantine of the same plugin version and scope (the newest reason wins). */
  async put(record: QuarantineRecord): Promise<void> {
    // a copy, so a caller that mutates its object later does not rewrite history
    this.#records.set(recordKey(record.plugin, record.version, record.guildId), { ...record });
  }

  async remove(plugin: string, version: string, guildId: string | null): Promise<void> {
    this.#records.delete(recordKey(plugin, version, guildId));
  }
}
