import semver from 'semver';
import { z } from 'zod';
import { Capability } from './capabilities.ts';
import { SlashCommand } from './commands.ts';
import { ConfigSchemaSchema } from './config-schema.ts';
import { BotPermission, EVENT_INTENTS, Intent, PluginEventName } from './discord.ts';

/** npm-style package name; scoped names (`@acme/greeter`) tie a plugin to its publisher. */
export const PluginName = z
  .string()
  .max(214)
  .regex(/^(@[a-z0-9][a-z0-9-._]*\/)?[a-z0-9][a-z0-9-._]*$/, 'an npm-style package name such as @acme/greeter (lowercase)');

export const SemverVersion = z.string().refine((v) => semver.valid(v) === v, 'a semver version such as 1.2.3');
export const SemverRange = z.string().refine((r) => semver.validRange(r) !== null, 'a semver range such as ^1.0.0');

/** Resource limits; a manifest may lower the platform defaults or raise them up to the ceiling. */
export const LIMIT_CEILINGS = { cpuMsPerEvent: 1000, memoryMb: 128, storageBytes: 16 * 1024 * 1024, actionsPerEvent: 50 } as const;
export const LIMIT_DEFAULTS = { cpuMsPerEvent: 50, memoryMb: 32, storageBytes: 1024 * 1024, actionsPerEvent: 10 } as const;

export const PluginLimits = z.strictObject({
  cpuMsPerEvent: z.int().min(1).max(LIMIT_CEILINGS.cpuMsPerEvent).default(LIMIT_DEFAULTS.cpuMsPerEvent),
  memoryMb: z.int().min(8).max(LIMIT_CEILINGS.memoryMb).default(LIMIT_DEFAULTS.memoryMb),
  storageBytes: z.int().min(1024).max(LIMIT_CEILINGS.storageBytes).default(LIMIT_DEFAULTS.storageBytes),
  actionsPerEvent: z.int().min(1).max(LIMIT_CEILINGS.actionsPerEvent).default(LIMIT_DEFAULTS.actionsPerEvent),
});
export type PluginLimits = z.infer<typeof PluginLimits>;

/** A data migration step; its `up`/`down` code lives in the bundle under the same id. */
export const MigrationStep = z.strictObject({
  id: z.string().regex(/^\d{3,}-[a-z0-9-]+$/, 'an ordered id such as 001-initial'),
  description: z.string().max(200).optional(),
});

export const PluginManifest = z
  .strictObject({
    name: PluginName,
    version: SemverVersion,
    displayName: z.string().min(1).max(60),
    description: z.string().max(500).default(''),
    kernelApi: SemverRange,
    /** Path of the bundled sandbox entry inside the package. */
    entry: z.string().regex(/^[\w./-]+\.js$/, 'a relative path to the bundled .js entry').default('dist/plugin.js'),
    permissions: z.array(Capability).default([]),
    events: z.array(PluginEventName).default([]),
    commands: z.array(SlashCommand).max(25).default([]),
    config: ConfigSchemaSchema.default({}),
    discord: z
      .strictObject({
        intents: z.array(Intent).default([]),
        botPermissions: z.array(BotPermission).default([]),
      })
      .default({ intents: [], botPermissions: [] }),
    limits: PluginLimits.default(PluginLimits.parse({})),
    migrations: z.array(MigrationStep).default([]),
  })
  .superRefine((m, ctx) => {
    const intents = new Set(m.discord.intents);
    for (const event of m.events) {
      for (const needed of EVENT_INTENTS[event]) {
        if (!intents.has(needed)) {
          ctx.addIssue({ code: 'custom', path: ['discord', 'intents'], message: `event "${event}" needs the "${needed}" intent; add it to discord.intents` });
        }
      }
    }
    const seen = new Set<string>();
    m.commands.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['commands', i, 'name'], message: `command "${c.name}" is declared twice` });
      seen.add(c.name);
    });
    const ids = m.migrations.map((s) => s.id);
    const sorted = [...ids].sort();
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['migrations'], message: 'migration ids must be unique' });
    else if (ids.some((id, i) => id !== sorted[i])) ctx.addIssue({ code: 'custom', path: ['migrations'], message: 'migrations must be listed in ascending id order' });
    if (new Set(m.permissions).size !== m.permissions.length) ctx.addIssue({ code: 'custom', path: ['permissions'], message: 'a permission is listed twice' });
  });

export type PluginManifest = z.infer<typeof PluginManifest>;
export type PluginManifestInput = z.input<typeof PluginManifest>;

export class ManifestError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid plugin manifest:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/** Validate a manifest; on failure the error lists every problem with its path. */
export function parseManifest(input: unknown): PluginManifest {
  const result = PluginManifest.safeParse(input);
  if (result.success) return result.data;
  throw new ManifestError(result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(manifest)'}: ${i.message}`));
}
