import type { MigrationCommit, Namespace, NamespaceRead, NamespaceReadResult, NamespaceWrites, PluginStore, StoredEntry } from './plugin-store.ts';
import { entryBytes } from './plugin-store.ts';
import { appended, without } from '../compact/exact-list.ts';
import { SmallStringMap } from '../compact/small-string-map.ts';

const nsKey = (ns: Namespace): string => `${ns.plugin}\u0000${ns.guildId}`;

/** Plugin data in memory: for development, the SDK harness and benchmarks. Nothing survives a restart. */
export class MemoryPluginStore implements PluginStore {
  readonly #data = new Map<string, SmallStringMap<string>>();
  readonly #ledger = new Map<string, string[]>();

  #ns(ns: Namespace): SmallStringMap<string> {
    let m = this.#data.get(nsKey(ns));
    if (!m) this.#data.set(nsKey(ns), (m = new SmallStringMap()));
    return m;
  }

  async get(ns: Namespace, keys: readonly string[]): Promise<Map<string, string>> {
    const m = this.#data.get(nsKey(ns));
    const out = new Map<string, string>();
    if (!m) return out;
    for (const k of keys) {
      const v = m.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }

  async read(requests: readonly NamespaceRead[]): Promise<NamespaceReadResult[]> {
    return Promise.all(
      requests.map(async (r) => {
        const values = [...(await this.get(r, r.keys))];
        return r.wantUsage ? { values, usage: await this.usage(r) } : { values };
      }),
    );
  }

  async list(ns: Namespace, prefix: string, limit: number, after?: string): Promise<StoredEntry[]> {
    const m = this.#data.get(nsKey(ns));
    if (!m) return [];
    return [...m.entries()]
      .filter(([k]) => k.startsWith(prefix) && (after === undefined || k > after))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([key, value]) => ({ key, value }));
  }

  async usage(ns: Namespace): Promise<number> {
    let total = 0;
    for (const [k, v] of this.#data.get(nsKey(ns)) ?? []) total += entryBytes(k, v);
    return total;
  }

  async commit(batch: readonly NamespaceWrites[]): Promise<void> {
    for (const nw of batch) {
      if (nw.writes.length === 0) continue;
      const m = this.#ns(nw);
      for (const w of nw.writes) {
        if (w.value === null) m.delete(w.key);
        else m.set(w.key, w.value);
      }
    }
  }

  async appliedMigrations(ns: Namespace): Promise<string[]> {
    return [...(this.#ledger.get(nsKey(ns)) ?? [])].sort();
  }

  async commitMigration(step: MigrationCommit): Promise<boolean> {
    const applied = this.#ledger.get(nsKey(step)) ?? [];
    const has = applied.includes(step.migrationId);
    if (step.direction === 'up' ? has : !has) return false;
    await this.commit([step]);
    this.#ledger.set(nsKey(step), step.direction === 'up' ? appended(applied, step.migrationId) : without(applied, (id) => id === step.migrationId));
    return true;
  }

  async purge(guildId: string, plugin?: string): Promise<number> {
    let removed = 0;
    for (const key of [...this.#data.keys()]) {
      const [p, g] = key.split('\u0000');
      if (g === guildId && (plugin === undefined || p === plugin)) {
        removed += this.#data.get(key)?.size ?? 0;
        this.#data.delete(key);
        this.#ledger.delete(key);
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}
