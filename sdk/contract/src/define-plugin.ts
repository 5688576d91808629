import type { Capability } from './capabilities.ts';
import type { ConfigField } from './config-schema.ts';
import type { CommandInteraction, EventPayloads, InteractionReply } from './events.ts';
import type { JsonValue, PluginContext, PluginLogger, PluginStorage } from './host-api.ts';
import type { PluginManifestInput } from './manifest.ts';

type FieldValue<F> = F extends { type: 'string' | 'channel' | 'role' | 'user' }
  ? string
  : F extends { type: 'integer' | 'number' }
    ? number
    : F extends { type: 'boolean' }
      ? boolean
      : F extends { type: 'list'; items: infer I }
        ? Array<FieldValue<I>>
        : F extends { type: 'object'; fields: infer O }
          ? { [K in keyof O]: FieldValue<O[K]> }
          : unknown;

type MaybeMissing<F> = F extends { default: unknown } ? never : F extends { optional: true } ? undefined : never;

/** The config object a handler sees, inferred from the manifest's config description. */
export type InferConfig<S> = { [K in keyof S]: FieldValue<S[K]> | MaybeMissing<S[K]> };

type PermissionsOf<M> = M extends { permissions: readonly (infer P)[] } ? (P extends Capability ? P : never) : never;
type EventsOf<M> = M extends { events: readonly (infer E)[] } ? (E extends keyof EventPayloads ? E : never) : never;
type CommandNamesOf<M> = M extends { commands: readonly (infer C)[] } ? (C extends { name: infer N extends string } ? N : never) : never;
type ConfigOf<M> = M extends { config: infer S extends Record<string, ConfigField> } ? InferConfig<S> : Record<string, never>;

export type ContextOf<M> = PluginContext<PermissionsOf<M>, ConfigOf<M>>;

/** A migration step gets the guild's storage (changes commit together or not at all) and a logger. */
export interface MigrationContext {
  readonly guildId: string;
  readonly storage: PluginStorage;
  readonly log: PluginLogger;
}
export interface MigrationCode {
  up(ctx: MigrationContext): void | Promise<void>;
  down(ctx: MigrationContext): void | Promise<void>;
}

export type EventHandler<M, E extends keyof EventPayloads> = (ctx: ContextOf<M>, event: EventPayloads[E]) => void | Promise<void>;
export type CommandHandler<M> = (ctx: ContextOf<M>, interaction: CommandInteraction) => InteractionReply | string | void | Promise<InteractionReply | string | void>;

// The handler maps are keyed by every name (not by names computed from M) so TypeScript can type
// a handler's parameters from context; a name the manifest does not declare resolves to `never`.
export interface PluginDefinition<M extends PluginManifestInput> {
  manifest: M;
  events?: { [E in keyof EventPayloads]?: E extends EventsOf<M> ? EventHandler<M, E> : never };
  commands?: { [name: string]: CommandHandler<M> } & { [N in CommandNamesOf<M>]: CommandHandler<M> };
  migrations?: Record<string, MigrationCode>;
}

/**
 * Declare a manifest on its own (to share it between the plugin and its tests) while keeping its
 * literal types, so `ContextOf<typeof manifest>` and `definePlugin({ manifest, ... })` type the
 * handlers from it.
 */
export function defineManifest<const M extends PluginManifestInput>(manifest: M): M {
  return manifest;
}

/**
 * Declare a plugin. The manifest literal drives the handler types: a handler's `ctx` carries only
 * the capabilities the manifest asks for, and its `config` has the manifest's config shape, so an
 * undeclared capability is a type error before it is a runtime denial.
 */
export function definePlugin<const M extends PluginManifestInput>(definition: PluginDefinition<M>): PluginDefinition<M> {
  return definition;
}

export type { JsonValue };
