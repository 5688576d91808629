import type { Logger } from 'pino';
import type { NamespaceWrites, PluginStore } from '../storage/plugin-store.ts';
import type { HostLink } from './host-link.ts';
import type { FromHost, ItemResult, WorkItem } from './sandbox-protocol.ts';

/** What the committer needs to know of an item: what it was, and which image ran it. */
export interface CommitTarget {
  item: WorkItem;
  image: { name: string; version: string };
}

/**
 * The runner's side of a sandbox host's storage: answers its reads and commits its results'
 * writes. The pool runs both for one host in arrival order, so a commit lands before any read
 * that host sends after it.
 */
export class PoolStorage {
  readonly #store: PluginStore;
  readonly #logger: Logger;

  constructor(store: PluginStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  async serve(link: HostLink, message: Extract<FromHost, { t: 'storage' }>): Promise<void> {
    try {
      if (message.op === 'list') {
        link.send({ t: 'storage', id: message.id, ok: true, value: await this.#store.list(message.ns, message.prefix, message.limit, message.after) });
      } else {
        link.send({ t: 'storage', id: message.id, ok: true, value: await this.#store.read(message.requests) });
      }
    } catch (error) {
      this.#logger.error({ err: error, namespaces: message.op === 'list' ? [message.ns] : message.requests.map(({ plugin, guildId }) => ({ plugin, guildId })) }, 'plugin storage read failed');
      link.send({ t: 'storage', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Commit the writes of a batch of results. Event and command writes of all guilds commit in one
   * transaction, and if that fails, namespace by namespace, so one bad namespace fails only its
   * own items; each migration step commits alone with its ledger row. Writes the store refused
   * are evicted from the host's cache and their items fail, so their data and actions exist
   * nowhere. Results are changed in place.
   */
  async commit(link: HostLink, results: ItemResult[], target: (seq: number) => CommitTarget | undefined): Promise<void> {
    const byNamespace = new Map<string, { writes: NamespaceWrites; results: ItemResult[] }>();
    for (const result of results) {
      const t = result.ok ? target(result.seq) : undefined;
      if (!t) continue;
      const { item, image } = t;
      if (item.kind === 'up' || item.kind === 'down') {
        const writes = result.writes.map(([key, value]) => ({ key, value }));
        const applied = await this.#withRetry(() => this.#store.commitMigration({ plugin: image.name, guildId: item.guildId, migrationId: item.name, direction: item.kind as 'up' | 'down', pluginVersion: image.version, writes }));
        if (applied === true) continue;
        // Not applied (already done elsewhere, or refused): the cache took writes the store does not have.
        link.send({ t: 'evict', plugin: image.name, guildId: item.guildId });
        if (applied !== false) refuse(result, `the migration could not be committed: ${String(applied)}`);
        continue;
      }
      if (result.writes.length === 0) continue;
      const k = `${image.name}\u0000${item.guildId}`;
      let group = byNamespace.get(k);
      if (!group) byNamespace.set(k, (group = { writes: { plugin: image.name, guildId: item.guildId, writes: [] }, results: [] }));
      for (const [key, value] of result.writes) group.writes.writes.push({ key, value });
      group.results.push(result);
    }
    const groups = [...byNamespace.values()];
    if (groups.length === 0 || (await this.#withRetry(() => this.#store.commit(groups.map((g) => g.writes)))) === true) return;
    for (const group of groups) {
      if (groups.length > 1 && (await this.#withRetry(() => this.#store.commit([group.writes]), 1)) === true) continue;
      link.send({ t: 'evict', plugin: group.writes.plugin, guildId: group.writes.guildId });
      for (const result of group.results) refuse(result, "the plugin's writes could not be saved; its actions were not performed");
    }
  }

  /** Run a store write up to `attempts` times; returns true, false (a no-op migration) or the last error. */
  async #withRetry(fn: () => Promise<unknown>, attempts = 3): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await fn();
        return r === undefined ? true : r;
      } catch (error) {
        this.#logger.warn({ err: error, attempt }, 'plugin storage commit failed');
        if (attempt >= attempts) return error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}

function refuse(result: ItemResult, message: string): void {
  Object.assign(result, { ok: false, value: undefined, actions: [], writes: [], error: { name: 'StorageError', code: 'STORAGE_UNAVAILABLE', message } });
}
