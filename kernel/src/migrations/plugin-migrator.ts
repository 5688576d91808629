import type { PluginManifest } from '@townesdev/plugin-contract';
import type { SandboxPool } from '../sandbox/sandbox-pool.ts';
import type { PluginStore } from '../storage/plugin-store.ts';

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Runs a plugin's data migrations for one guild. Each step runs in the sandbox; its writes and
 * its ledger row commit in one transaction (PluginStore.commitMigration), so a failed step leaves
 * nothing behind and a step already in the ledger is skipped: running twice is a no-op.
 */
export class PluginMigrator {
  readonly #pool: SandboxPool;
  readonly #store: PluginStore;

  constructor(pool: SandboxPool, store: PluginStore) {
    this.#pool = pool;
    this.#store = store;
  }

  /** Apply the manifest's migrations this guild has not had yet, in order, with `key`'s code. */
  async up(key: string, manifest: PluginManifest, guildId: string): Promise<string[]> {
    const applied = new Set(await this.#store.appliedMigrations({ plugin: manifest.name, guildId }));
    const ran: string[] = [];
    for (const step of manifest.migrations) {
      if (applied.has(step.id)) continue;
      await this.#run(key, guildId, 'up', step.id);
      ran.push(step.id);
    }
    return ran;
  }

  /**
   * Roll back, with the newer version's code (`key`), the migrations the target version does
   * not know, newest first: the older code then finds data in the shape it expects.
   */
  async downTo(key: string, manifest: PluginManifest, target: PluginManifest, guildId: string): Promise<string[]> {
    const known = new Set(target.migrations.map((m) => m.id));
    const applied = await this.#store.appliedMigrations({ plugin: manifest.name, guildId });
    const declared = new Set(manifest.migrations.map((m) => m.id));
    const ran: string[] = [];
    for (const id of applied.filter((m) => !known.has(m)).reverse()) {
      if (!declared.has(id)) throw new MigrationError(`migration ${id} of ${manifest.name} is applied in this server but ${key} does not define it, so it cannot be rolled back`);
      await this.#run(key, guildId, 'down', id);
      ran.push(id);
    }
    return ran;
  }

  async #run(key: string, guildId: string, kind: 'up' | 'down', id: string): Promise<void> {
    const result = await this.#pool.run({ plugin: key, guildId, kind, name: id, payload: 'null' });
    if (!result.ok) throw new MigrationError(`migration ${id} (${kind}) of ${key} failed: ${result.error?.message ?? result.fault ?? 'unknown error'}`);
  }
}
