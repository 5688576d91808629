import semver from 'semver';
import type { Capability, SlashCommand } from '@townesdev/plugin-contract';
import type { CommandRegistry } from '../commands/command-registry.ts';
import type { PluginMigrator } from '../migrations/plugin-migrator.ts';
import { describeMissing, effectiveGrant } from '../permissions/permission-grant.ts';
import type { QuarantineBook } from '../quarantine/quarantine-book.ts';
import { Interner, deepFreeze } from '../sandbox/interner.ts';
import type { SandboxPool } from '../sandbox/sandbox-pool.ts';
import { PluginGate } from '../bus/plugin-gate.ts';
import type { Enablement, GuildTable, PluginInstall } from './enablement.ts';
import type { ImageCatalog, LoadedImage } from './image-catalog.ts';

/** A lifecycle request the kernel refuses, with every reason a guild admin can act on. */
export class EnableError extends Error {
  readonly code: 'INVALID_CONFIG' | 'GRANT_MISSING' | 'QUARANTINED' | 'COMMAND_CLASH' | 'NOT_ENABLED';
  readonly problems: string[];
  constructor(code: EnableError['code'], message: string, problems: string[] = []) {
    super(problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'EnableError';
    this.code = code;
    this.problems = problems;
  }
}

export interface LifecycleDeps {
  pool: SandboxPool;
  gate: PluginGate;
  images: ImageCatalog;
  table: GuildTable;
  commands: CommandRegistry;
  migrator: PluginMigrator;
  quarantine: QuarantineBook;
  onCommandsChanged(guildId: string, commands: SlashCommand[]): void;
}

/**
 * Enable, reconfigure, upgrade, roll back and disable plugins per guild at run time. Changes to
 * one guild are serialised; different guilds change concurrently. Every check (config, grant,
 * quarantine, command clash, migrations) happens before the guild's running state changes.
 */
export class GuildLifecycle {
  readonly #d: LifecycleDeps;
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Guilds with equal configs and grants share one frozen copy (and one JSON text). */
  readonly #configs = new Interner<{ json: string; value: Readonly<Record<string, unknown>> }>();
  readonly #grants = new Interner<readonly Capability[]>();

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
  }

  #serial<T>(guildId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(guildId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => {});
    this.#locks.set(guildId, tail);
    void tail.then(() => {
      if (this.#locks.get(guildId) === tail) this.#locks.delete(guildId);
    });
    return next;
  }

  /** Enable a plugin, or move an enabled one to another version, config or grant. */
  enable(guildId: string, install: PluginInstall): Promise<Enablement> {
    return this.#serial(guildId, () => this.#enable(guildId, install));
  }

  async #enable(guildId: string, install: PluginInstall): Promise<Enablement> {
    const d = this.#d;
    const image = await d.images.acquire(install.plugin, install.version);
    try {
      return await this.#enableImage(guildId, install, image);
    } catch (error) {
      d.images.release(image.key);
      throw error;
    }
  }

  async #enableImage(guildId: string, install: PluginInstall, image: LoadedImage): Promise<Enablement> {
    const d = this.#d;
    const { manifest } = image;
    const parsed = image.configSchema.safeParse(install.config ?? {});
    if (!parsed.success) {
      throw new EnableError('INVALID_CONFIG', `the config for ${manifest.name} is invalid`, parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
    }
    const { grants, missing } = effectiveGrant(manifest, install.grants);
    if (missing.length > 0) {
      throw new EnableError('GRANT_MISSING', `${image.key} needs permissions this server has not granted: ${describeMissing(missing)}`, missing);
    }
    const quarantined = d.quarantine.find(manifest.name, manifest.version, guildId);
    if (quarantined) throw new EnableError('QUARANTINED', quarantined.message);
    d.commands.check(guildId, manifest.name, manifest.commands);

    const current = d.table.get(guildId, manifest.name);
    const switching = current !== undefined && current.key !== image.key;
    const gateKey = PluginGate.key(guildId, manifest.name);
    // Moving to another version: let the old one finish, and hold new events until the new one runs.
    if (switching) await d.gate.closeAndDrain(gateKey);
    try {
      return await this.#switchTo(guildId, image, parsed.data as Record<string, unknown>, grants, current);
    } finally {
      if (switching) d.gate.open(gateKey);
    }
  }

  async #switchTo(guildId: string, image: LoadedImage, parsedConfig: Record<string, unknown>, parsedGrants: Capability[], current: Enablement | undefined): Promise<Enablement> {
    const d = this.#d;
    const { manifest } = image;
    const json = JSON.stringify(parsedConfig);
    const config = this.#configs.get(json, () => ({ json, value: deepFreeze(parsedConfig) }));
    const grants = this.#grants.get(parsedGrants.join(), () => Object.freeze(parsedGrants));
    const next: Enablement = { guildId, plugin: manifest.name, version: manifest.version, key: image.key, manifest, config: config.value, grants };
    d.pool.setGuild({ plugin: image.key, guildId, configJson: config.json, grants });
    try {
      if (current && current.key !== image.key && semver.lt(manifest.version, current.version)) {
        // Rollback: the newer code undoes what the older version does not know about.
        await d.migrator.downTo(current.key, current.manifest, manifest, guildId);
      }
      await d.migrator.up(image.key, manifest, guildId);
    } catch (error) {
      if (!current || current.key !== image.key) d.pool.removeGuild(image.key, guildId);
      throw error;
    }
    d.table.set(next);
    // The new enablement holds the reference acquired above; the one it replaces lets go of its own.
    if (current) {
      if (current.key !== image.key) d.pool.removeGuild(current.key, guildId);
      d.images.release(current.key);
    }
    if (d.commands.set(guildId, manifest.name, manifest.commands)) d.onCommandsChanged(guildId, d.commands.forGuild(guildId));
    return next;
  }

  /** Change only the config (validated against the running version's manifest). */
  configure(guildId: string, plugin: string, config: unknown): Promise<Enablement> {
    return this.#serial(guildId, async () => {
      const current = this.#d.table.get(guildId, plugin);
      if (!current) throw new EnableError('NOT_ENABLED', `${plugin} is not enabled in this server`);
      return this.#enable(guildId, { plugin, version: current.version, config, grants: current.grants });
    });
  }

  disable(guildId: string, plugin: string): Promise<boolean> {
    return this.#serial(guildId, async () => this.#disable(guildId, plugin));
  }

  #disable(guildId: string, plugin: string): boolean {
    const current = this.#d.table.get(guildId, plugin);
    if (!current) return false;
    this.#d.table.delete(guildId, plugin);
    this.#d.pool.removeGuild(current.key, guildId);
    this.#d.images.release(current.key);
    if (this.#d.commands.remove(guildId, plugin)) this.#d.onCommandsChanged(guildId, this.#d.commands.forGuild(guildId));
    return true;
  }

  /**
   * Stop a plugin version in a guild without touching the desired state (after a quarantine);
   * nothing happens if the guild runs another version by the time this runs.
   */
  suspend(guildId: string, plugin: string, key: string): Promise<boolean> {
    return this.#serial(guildId, async () => this.#d.table.get(guildId, plugin)?.key === key && this.#disable(guildId, plugin));
  }

  /**
   * Make a guild's running plugins match its desired state: the entry point for start-up
   * rehydration and for "this guild changed" notices. Returns the problems of installs that
   * could not be applied; the others are applied regardless.
   */
  async apply(guildId: string, desired: readonly PluginInstall[]): Promise<Array<{ plugin: string; error: string }>> {
    const problems: Array<{ plugin: string; error: string }> = [];
    const wanted = new Set(desired.map((i) => i.plugin));
    for (const e of [...this.#d.table.forGuild(guildId)]) if (!wanted.has(e.plugin)) await this.disable(guildId, e.plugin);
    for (const install of desired) {
      const current = this.#d.table.get(guildId, install.plugin);
      if (current && current.version === install.version && JSON.stringify(current.config) === JSON.stringify(install.config) && current.grants.join() === effectiveGrant(current.manifest, install.grants).grants.join()) continue;
      try {
        await this.enable(guildId, install);
      } catch (error) {
        problems.push({ plugin: install.plugin, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return problems;
  }

}
