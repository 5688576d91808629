import { createHash } from 'node:crypto';
import type { SlashCommand } from '@townesdev/plugin-contract';
import { appended, without } from '../compact/exact-list.ts';

export class CommandClashError extends Error {
  readonly command: string;
  readonly heldBy: string;
  constructor(command: string, heldBy: string, plugin: string) {
    super(`/${command} is already provided by ${heldBy} in this server; ${plugin} cannot be enabled alongside it (disable ${heldBy} first)`);
    this.name = 'CommandClashError';
    this.command = command;
    this.heldBy = heldBy;
  }
}

/** One plugin's commands in a guild (the manifest's own array, shared by every guild). */
interface Provider {
  plugin: string;
  commands: readonly SlashCommand[];
}

/**
 * A guild's slash commands: the union of its enabled plugins' commands. It refuses a name clash
 * before anything changes, and reports a change only when the resulting set actually differs,
 * so the runner re-registers a guild's commands exactly when Discord would see a difference.
 *
 * Kept small because a runner holds it for every guild: per guild, the few plugins that provide
 * commands (pointing at their manifests' arrays) and a digest of the last set, not its JSON.
 */
export class CommandRegistry {
  readonly #byGuild = new Map<string, Provider[]>();
  readonly #fingerprints = new Map<string, string>();

  /** Throws CommandClashError if `plugin`'s commands collide with another plugin's in the guild. */
  check(guildId: string, plugin: string, commands: readonly SlashCommand[]): void {
    for (const c of commands) {
      const holder = this.owner(guildId, c.name);
      if (holder !== undefined && holder !== plugin) throw new CommandClashError(c.name, holder, plugin);
    }
  }

  /** Replace `plugin`'s commands in the guild; returns true when the guild's command set changed. */
  set(guildId: string, plugin: string, commands: readonly SlashCommand[]): boolean {
    this.check(guildId, plugin, commands);
    const others = without(this.#byGuild.get(guildId) ?? [], (p) => p.plugin === plugin);
    const providers = commands.length > 0 ? appended(others, { plugin, commands }) : others;
    if (providers.length > 0) this.#byGuild.set(guildId, providers);
    else this.#byGuild.delete(guildId);
    return this.#refresh(guildId);
  }

  /** Remove `plugin`'s commands from the guild; returns true when the set changed. */
  remove(guildId: string, plugin: string): boolean {
    const providers = this.#byGuild.get(guildId);
    if (!providers) return false;
    return this.set(guildId, plugin, []);
  }

  /** The plugin that answers `/name` in the guild. */
  owner(guildId: string, name: string): string | undefined {
    for (const p of this.#byGuild.get(guildId) ?? []) if (p.commands.some((c) => c.name === name)) return p.plugin;
    return undefined;
  }

  /** The guild's commands, sorted by name (the body of one bulk overwrite). */
  forGuild(guildId: string): SlashCommand[] {
    return (this.#byGuild.get(guildId) ?? []).flatMap((p) => p.commands).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  #refresh(guildId: string): boolean {
    const commands = this.forGuild(guildId);
    const fingerprint = commands.length === 0 ? '' : createHash('sha256').update(JSON.stringify(commands)).digest('base64');
    const before = this.#fingerprints.get(guildId) ?? '';
    if (fingerprint === '') this.#fingerprints.delete(guildId);
    else this.#fingerprints.set(guildId, fingerprint);
    return fingerprint !== before;
  }
}
