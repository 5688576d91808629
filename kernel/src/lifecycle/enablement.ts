import type { Capability, PluginManifest } from '@townesdev/plugin-contract';

/** One plugin enabled in one guild: the version that runs, its config and the guild's grant. */
export interface Enablement {
  guildId: string;
  plugin: string;
  version: string;
  /** `name@version`, the sandbox image. */
  key: string;
  manifest: PluginManifest;
  config: Record<string, unknown>;
  grants: Capability[];
}

/** What a guild wants enabled (the shape the API's desired state is translated into). */
export interface PluginInstall {
  plugin: string;
  version: string;
  config: unknown;
  grants: readonly string[];
}

/** The guilds' enablements, the one table the lifecycle writes and the event bus reads. */
export class GuildTable {
  readonly #guilds = new Map<string, Map<string, Enablement>>();

  get(guildId: string, plugin: string): Enablement | undefined {
    return this.#guilds.get(guildId)?.get(plugin);
  }

  forGuild(guildId: string): Iterable<Enablement> {
    return this.#guilds.get(guildId)?.values() ?? [];
  }

  /** Guilds running this exact image. */
  usersOf(key: string): Enablement[] {
    const out: Enablement[] = [];
    for (const plugins of this.#guilds.values()) for (const e of plugins.values()) if (e.key === key) out.push(e);
    return out;
  }

  set(e: Enablement): void {
    let plugins = this.#guilds.get(e.guildId);
    if (!plugins) this.#guilds.set(e.guildId, (plugins = new Map()));
    plugins.set(e.plugin, e);
  }

  delete(guildId: string, plugin: string): void {
    const plugins = this.#guilds.get(guildId);
    plugins?.delete(plugin);
    if (plugins?.size === 0) this.#guilds.delete(guildId);
  }
}
