import type { SlashCommand } from '@townesdev/plugin-contract';

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

/**
 * A guild's slash commands: the union of its enabled plugins' commands. It refuses a name clash
 * before anything changes, and reports a change only when the resulting set actually differs,
 * so the runner re-registers a guild's commands exactly when Discord would see a difference.
 */
export class CommandRegistry {
  readonly #byGuild = new Map<string, Map<string, { plugin: string; command: SlashCommand }>>();
  readonly #fingerprints = new Map<string, string>();

  /** Throws CommandClashError if `plugin`'s commands collide with another plugin's in the guild. */
  check(guildId: string, plugin: string, commands: readonly SlashCommand[]): void {
    const taken = this.#byGuild.get(guildId);
    if (!taken) return;
    for (const c of commands) {
      const holder = taken.get(c.name);
      if (holder && holder.plugin !== plugin) throw new CommandClashError(c.name, holder.plugin, plugin);
    }
  }

  /** Replace `plugin`'s commands in the guild; returns true when the guild's command set changed. */
  set(guildId: string, plugin: string, commands: readonly SlashCommand[]): boolean {
    this.check(guildId, plugin, commands);
    let taken = this.#byGuild.get(guildId);
    if (!taken) this.#byGuild.set(guildId, (taken = new Map()));
    for (const [name, entry] of taken) if (entry.plugin === plugin) taken.delete(name);
    for (const command of commands) taken.set(command.name, { plugin, command });
    return this.#refresh(guildId);
  }

  /** Remove `plugin`'s commands from the guild; returns true when the set changed. */
  remove(guildId: string, plugin: string): boolean {
    const taken = this.#byGuild.get(guildId);
    if (!taken) return false;
    for (const [name, entry] of taken) if (entry.plugin === plugin) taken.delete(name);
    if (taken.size === 0) this.#byGuild.delete(guildId);
    return this.#refresh(guildId);
  }

  /** The plugin that answers `/name` in the guild. */
  owner(guildId: string, name: string): string | undefined {
    return this.#byGuild.get(guildId)?.get(name)?.plugin;
  }

  /** The guild's commands, sorted by name (the body of one bulk overwrite). */
  forGuild(guildId: string): SlashCommand[] {
    return [...(this.#byGuild.get(guildId)?.values() ?? [])].map((e) => e.command).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  #refresh(guildId: string): boolean {
    const fingerprint = JSON.stringify(this.forGuild(guildId));
    const before = this.#fingerprints.get(guildId) ?? '[]';
    if (fingerprint === '[]') this.#fingerprints.delete(guildId);
    else this.#fingerprints.set(guildId, fingerprint);
    return fingerprint !== before;
  }
}
