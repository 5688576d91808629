import type { Capability, PluginManifest } from '@townesdev/plugin-contract';
import { appended, without } from '../compact/exact-list.ts';

/** One plugin enabled in one guild: the version that runs, its config and the guild's grant. */
export interface Enablement {
  guildId: string;
  plugin: string;
  version: string;
  /** `name@version`, the sandbox image. */
  key: string;
  manifest: PluginManifest;
  /** Frozen: guilds with equal configs share one copy. */
  config: Readonly<Record<string, unknown>>;
  grants: readonly Capability[];
}

/** What a guild wants enabled (the shape the API's desired state is translated into). */
export interface PluginInstall {
  plugin: string;
  version: string;
  config: unknown;
  grants: readonly string[];
}

/**
 * The guilds' enablements, the one table the lifecycle writes and the event bus reads. A guild
 * has a handful of plugins, so each guild keeps a small array (cheaper than a Map per guild when
 * a runner holds 10,000 guilds), replaced rather than changed: whoever is iterating a guild's
 * list keeps a consistent one.
 */
export class GuildTable {
  readonly #guilds = new Map<string, readonly Enablement[]>();

  get(guildId: string, plugin: string): Enablement | undefined {
    return this.#guilds.get(guildId)?.find((e) => e.plugin === plugin);
  }

  forGuild(guildId: string): Iterable<Enablement> {
    return this.#guilds.get(guildId) ?? [];
  }

  /** Guilds running this exact image. */
  usersOf(key: string): Enablement[] {
    const out: Enablement[] = [];
    for (const plugins of this.#guilds.values()) for (const e of plugins) if (e.key === key) out.push(e);
    return out;
  }

  set(e: Enablement): void {
    const list = this.#guilds.get(e.guildId) ?? [];
    this.#guilds.set(e.guildId, list.some((x) => x.plugin === e.plugin) ? list.map((x) => (x.plugin === e.plugin ? e : x)) : appended(list, e));
  }

  delete(guildId: string, plugin: string): void {
    const list = this.#guilds.get(guildId);
    if (!list) return;
    const rest = without(list, (x) => x.plugin === plugin);
    if (rest.length > 0) this.#guilds.set(guildId, rest);
    else this.#guilds.delete(guildId);
  }
}
