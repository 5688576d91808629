export { CAPABILITIES, CAPABILITY_DESCRIPTIONS, Capability } from './capabilities.ts';
export { OPTION_TYPES, CommandOption, SlashCommand, Subcommand } from './commands.ts';
export { ConfigFieldSchema, ConfigSchemaSchema, configSchemaToZod } from './config-schema.ts';
export type { ConfigField, ConfigSchema } from './config-schema.ts';
export { defineManifest, definePlugin } from './define-plugin.ts';
export type { CommandHandler, ContextOf, EventHandler, InferConfig, MigrationCode, MigrationContext, PluginDefinition } from './define-plugin.ts';
export { BOT_PERMISSION_BITS, BotPermission, EVENT_INTENTS, INTENTS, Intent, PluginEventName, permissionInteger } from './discord.ts';
export type * from './events.ts';
export type * from './host-api.ts';
export { BUNDLE_GLOBAL, KERNEL_API_VERSION } from './kernel-api.ts';
export {
  LIMIT_CEILINGS,
  LIMIT_DEFAULTS,
  ManifestError,
  MigrationStep,
  PluginLimits,
  PluginManifest,
  PluginName,
  SemverRange,
  SemverVersion,
  parseManifest,
} from './manifest.ts';
export type { PluginManifestInput } from './manifest.ts';
export { ErrorBody, ErrorReply, REQUEST_ID_HEADER } from './http-error.ts';
