import type { QueryResult, Transaction } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PLUGIN_DATA_TABLE as DATA, PLUGIN_MIGRATION_TABLE as LEDGER } from './entities/index.ts';
import type { KernelOrm } from './kernel-orm.ts';
import type { MigrationCommit, Namespace, NamespaceRead, NamespaceReadResult, NamespaceWrites, PluginStore, StoredEntry } from './plugin-store.ts';
import { entryBytes } from './plugin-store.ts';

export interface PostgresPluginStoreOptions {
  /** Close the ORM in close(): set when the store is the ORM's only user. */
  ownsOrm?: boolean;
}

/** The last write of a batch for one key; earlier writes to the same key are superseded. */
interface FinalWrite {
  guildId: string;
  plugin: string;
  key: string;
  value: string | null;
}

/**
 * Plugin data in PostgreSQL (production). Same contract as MemoryPluginStore, with two
 * differences a caller may notice: values come back as equivalent JSON re-printed by jsonb (key
 * order and spacing may differ from the text written; `bytes` and quotas use the text as
 * written), and PostgreSQL cannot hold NUL characters in keys or `\u0000` in values.
 *
 * Writes are set-based: a batch is one upsert and one delete whatever its size, in one
 * transaction. SQL goes through the ORM's connection with `?` parameters, which MikroORM
 * escapes into the statement (it has no server-side bind through this API).
 */
export class PostgresPluginStore implements PluginStore {
  readonly #orm: KernelOrm;
  readonly #ownsOrm: boolean;

  constructor(orm: KernelOrm, options: PostgresPluginStoreOptions = {}) {
    this.#orm = orm;
    this.#ownsOrm = options.ownsOrm ?? false;
  }

  async get(ns: Namespace, keys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (keys.length === 0) return out;
    const rows = await this.#all<{ key: string; value: string }>(
      `select "key", "value"::text as "value" from "${DATA}"
        where "guild_id" = ? and "plugin" = ? and "key" = any(array[?]::text[])`,
      [ns.guildId, ns.plugin, [...keys]],
    );
    for (const r of rows) out.set(r.key, r.value);
    return out;
  }

  /** Two statements whatever the batch: the values of every (guild, plugin, key), the usage of every namespace asked. */
  async read(requests: readonly NamespaceRead[]): Promise<NamespaceReadResult[]> {
    const out: NamespaceReadResult[] = requests.map((r) => (r.wantUsage ? { values: [], usage: 0 } : { values: [] }));
    const slots = new Map<string, number[]>();
    const wanted = new Map<string, Namespace>();
    const keys = new Map<string, { g: string; p: string; k: string }>();
    requests.forEach((r, i) => {
      const ns = `${r.guildId}\u0000${r.plugin}`;
      slots.set(ns, [...(slots.get(ns) ?? []), i]);
      if (r.wantUsage) wanted.set(ns, r);
      for (const k of r.keys) keys.set(`${ns}\u0000${k}`, { g: r.guildId, p: r.plugin, k });
    });
    const triples = [...keys.values()];
    const wantedKeys = requests.map((r) => new Set(r.keys));
    const namespaces = [...wanted.values()];
    const [rows, totals] = await Promise.all([
      triples.length === 0
        ? []
        : this.#all<{ guild_id: string; plugin: string; key: string; value: string }>(
            `select d."guild_id", d."plugin", d."key", d."value"::text as "value" from "${DATA}" d
              join unnest(array[?]::text[], array[?]::text[], array[?]::text[]) as t(g, p, k) on d."guild_id" = t.g and d."plugin" = t.p and d."key" = t.k`,
            [triples.map((t) => t.g), triples.map((t) => t.p), triples.map((t) => t.k)],
          ),
      namespaces.length === 0
        ? []
        : this.#all<{ guild_id: string; plugin: string; total: string | number }>(
            `select d."guild_id", d."plugin", sum(d."bytes")::bigint as "total" from "${DATA}" d
              join unnest(array[?]::text[], array[?]::text[]) as t(g, p) on d."guild_id" = t.g and d."plugin" = t.p
              group by d."guild_id", d."plugin"`,
            [namespaces.map((n) => n.guildId), namespaces.map((n) => n.plugin)],
          ),
    ]);
    for (const row of rows) {
      for (const i of slots.get(`${row.guild_id}\u0000${row.plugin}`) ?? []) if (wantedKeys[i]?.has(row.key)) out[i]?.values.push([row.key, row.value]);
    }
    for (const row of totals) {
      for (const i of slots.get(`${row.guild_id}\u0000${row.plugin}`) ?? []) {
        const result = out[i];
        if (result && requests[i]?.wantUsage) result.usage = Number(row.total);
      }
    }
    return out;
  }

  async list(ns: Namespace, prefix: string, limit: number, after?: string): Promise<StoredEntry[]> {
    const max = rowLimit(limit);
    if (max === 0) return [];
    // `key >= start` lets the primary key index start at the prefix (or past the cursor);
    // starts_with is the real filter, and the cursor itself is excluded
    const start = after !== undefined && after > prefix ? after : prefix;
    const params: unknown[] = [ns.guildId, ns.plugin, start, prefix, after ?? ''];
    if (max !== null) params.push(max);
    return this.#all<StoredEntry>(
      `select "key", "value"::text as "value" from "${DATA}"
        where "guild_id" = ? and "plugin" = ? and "key" >= ? and starts_with("key", ?) and "key" > ?
        order by "key" limit ${max === null ? 'all' : '?'}`,
      params,
    );
  }

  async usage(ns: Namespace): Promise<number> {
    const [row] = await this.#all<{ total: string | number }>(
      `select coalesce(sum("bytes"), 0)::bigint as "total" from "${DATA}" where "guild_id" = ? and "plugin" = ?`,
      [ns.guildId, ns.plugin],
    );
    return Number(row?.total ?? 0);
  }

  async commit(batch: readonly NamespaceWrites[]): Promise<void> {
    const writes = finalWrites(batch);
    if (writes.length === 0) return;
    await this.#transaction((em, trx) => applyWrites(em, trx, writes));
  }

  async appliedMigrations(ns: Namespace): Promise<string[]> {
    const rows = await this.#all<{ migration_id: string }>(
      `select "migration_id" from "${LEDGER}" where "guild_id" = ? and "plugin" = ? order by "migration_id" collate "C"`,
      [ns.guildId, ns.plugin],
    );
    return rows.map((r) => r.migration_id);
  }

  async commitMigration(step: MigrationCommit): Promise<boolean> {
    const writes = finalWrites([step]);
    return this.#transaction(async (em, trx) => {
      // The ledger row is claimed first: a concurrent run of the same step blocks on the
      // primary key (or on the row lock, for a down) until this commits, then finds nothing
      // to do, so the step's writes are applied exactly once.
      const claimed =
        step.direction === 'up'
          ? await run(
              em,
              trx,
              `insert into "${LEDGER}" ("guild_id", "plugin", "migration_id", "plugin_version") values (?, ?, ?, ?)
                on conflict do nothing`,
              [step.guildId, step.plugin, step.migrationId, step.pluginVersion],
            )
          : await run(em, trx, `delete from "${LEDGER}" where "guild_id" = ? and "plugin" = ? and "migration_id" = ?`, [
              step.guildId,
              step.plugin,
              step.migrationId,
            ]);
      if (claimed === 0) return false;
      await applyWrites(em, trx, writes);
      return true;
    });
  }

  async purge(guildId: string, plugin?: string): Promise<number> {
    const where = plugin === undefined ? `"guild_id" = ?` : `"guild_id" = ? and "plugin" = ?`;
    const params = plugin === undefined ? [guildId] : [guildId, plugin];
    return this.#transaction(async (em, trx) => {
      const removed = await run(em, trx, `delete from "${DATA}" where ${where}`, params);
      await run(em, trx, `delete from "${LEDGER}" where ${where}`, params);
      return removed;
    });
  }

  async close(): Promise<void> {
    if (this.#ownsOrm) await this.#orm.close();
  }

  async #all<T>(sql: string, params: unknown[]): Promise<T[]> {
    // a fork per call: the global EntityManager must not carry request state between callers
    const em = this.#orm.em.fork();
    return em.getConnection().execute<T[] & object>(sql, params, 'all');
  }

  async #transaction<T>(fn: (em: EntityManager, trx: Transaction) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(async (em) => {
      const trx = em.getTransactionContext();
      if (!trx) throw new Error('no transaction context inside transactional()');
      return fn(em, trx);
    });
  }
}

async function run(em: EntityManager, trx: Transaction, sql: string, params: unknown[]): Promise<number> {
  const res = await em.getConnection().execute<QueryResult>(sql, params, 'run', trx);
  return res.affectedRows;
}

/** Upserts and deletes of a batch, two statements in all, in the caller's transaction. */
async function applyWrites(em: EntityManager, trx: Transaction, writes: readonly FinalWrite[]): Promise<void> {
  const sets = writes.filter((w): w is FinalWrite & { value: string } => w.value !== null);
  const dels = writes.filter((w) => w.value === null);
  if (sets.length > 0) {
    await run(
      em,
      trx,
      `insert into "${DATA}" ("guild_id", "plugin", "key", "value", "bytes", "updated_at")
        select t.g, t.p, t.k, t.v::jsonb, t.b, now()
          from unnest(array[?]::text[], array[?]::text[], array[?]::text[], array[?]::text[], array[?]::int[]) as t(g, p, k, v, b)
        on conflict ("guild_id", "plugin", "key")
        do update set "value" = excluded."value", "bytes" = excluded."bytes", "updated_at" = excluded."updated_at"`,
      [
        sets.map((w) => w.guildId),
        sets.map((w) => w.plugin),
        sets.map((w) => w.key),
        sets.map((w) => w.value),
        sets.map((w) => entryBytes(w.key, w.value)),
      ],
    );
  }
  if (dels.length > 0) {
    await run(
      em,
      trx,
      `delete from "${DATA}" d
        using unnest(array[?]::text[], array[?]::text[], array[?]::text[]) as t(g, p, k)
        where d."guild_id" = t.g and d."plugin" = t.p and d."key" = t.k`,
      [dels.map((w) => w.guildId), dels.map((w) => w.plugin), dels.map((w) => w.key)],
    );
  }
}

/**
 * Collapse a batch to one write per key (the last, as applying it in order would leave), sorted
 * so that concurrent batches lock shared rows in the same order and cannot deadlock. An upsert
 * cannot touch the same row twice, so the collapse is also what makes the single statement legal.
 */
function finalWrites(batch: readonly NamespaceWrites[]): FinalWrite[] {
  const last = new Map<string, FinalWrite>();
  for (const nw of batch) {
    for (const w of nw.writes) {
      if (w.key.includes('\u0000')) throw new TypeError(`storage key contains a NUL character: ${JSON.stringify(w.key)}`);
      last.set(`${nw.guildId}\u0000${nw.plugin}\u0000${w.key}`, { guildId: nw.guildId, plugin: nw.plugin, key: w.key, value: w.value });
    }
  }
  return [...last.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => w);
}

/** LIMIT for list(): null for no limit; matches MemoryPluginStore's slice(0, limit) for sane inputs. */
function rowLimit(limit: number): number | null {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  if (limit === Infinity) return null;
  return Math.floor(limit);
}
