import { BOT_PERMISSION_BITS, CAPABILITY_DESCRIPTIONS, configSchemaToZod, permissionInteger } from '@townesdev/plugin-contract';
import type { BotPermission, Capability, PluginManifest } from '@townesdev/plugin-contract';
import { ResolveError, resolveVersion } from '@townesdev/registry';
import { RegistryError, type RegistryService } from '@townesdev/registry/service';
import type { DiscordClient } from '../auth/discord-client.ts';
import { ApiError } from '../server/api-error.ts';

/** The version a spec resolves to in the registry, with its manifest. `current` protects against silent downgrades. */
export async function resolveInRegistry(registry: RegistryService, plugin: string, spec: string, current?: string) {
  let published;
  try {
    published = await registry.versions(plugin);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NOT_FOUND') throw new ApiError(404, 'PLUGIN_NOT_FOUND', `${plugin} is not in the registry`, 'Browse GET /v1/marketplace/plugins for what can be installed.');
    throw error;
  }
  try {
    const { version } = resolveVersion(published, spec, current);
    const record = published.find((p) => p.version === version);
    if (!record) throw new ApiError(404, 'VERSION_NOT_FOUND', `${plugin}@${version} is not in the registry`);
    return { version, manifest: record.manifest };
  } catch (error) {
    if (!(error instanceof ResolveError)) throw error;
    if (error.code === 'INVALID_SPEC') throw new ApiError(400, 'INVALID_VERSION_SPEC', error.message, 'Use an exact version (1.2.3) or a range (^1.2.0).');
    if (error.code === 'DOWNGRADE') throw new ApiError(409, 'DOWNGRADE_REFUSED', error.message, 'Pin the exact lower version to roll back on purpose.');
    throw new ApiError(404, 'VERSION_NOT_FOUND', `${plugin}: ${error.message}`, `See GET /v1/marketplace/plugins/${encodeURIComponent(plugin)} for its versions.`);
  }
}

/** The grant must cover every permission the manifest asks for (as with OAuth scopes). */
export function checkGrant(manifest: PluginManifest, grants: readonly Capability[]): void {
  const missing = manifest.permissions.filter((p) => !grants.includes(p));
  if (missing.length === 0) return;
  const asked = missing.map((c) => `${c} (${CAPABILITY_DESCRIPTIONS[c]})`).join('; ');
  throw new ApiError(403, 'GRANT_INSUFFICIENT', `${manifest.name}@${manifest.version} needs permissions that were not granted: ${asked}`, `Grant ${JSON.stringify(manifest.permissions)} to install it.`);
}

/** The config, checked against the manifest's config schema; returns it with defaults filled in. */
export function checkConfig(manifest: PluginManifest, config: unknown): Record<string, unknown> {
  const parsed = configSchemaToZod(manifest.config).safeParse(config);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new ApiError(400, 'CONFIG_INVALID', `the config does not fit ${manifest.name}'s schema: ${problems}`, `See the config schema in GET /v1/marketplace/plugins/${encodeURIComponent(manifest.name)}.`);
}

/**
 * The bot must be in the guild with every Discord permission the plugin needs; otherwise the
 * reply names what is missing and links the invite that grants it (the permission integer of
 * everything the plugin needs).
 */
export async function checkBotPermissions(discord: DiscordClient, authorizeUrl: string, clientId: string, guildId: string, manifest: PluginManifest): Promise<void> {
  if (!discord.hasBot) return;
  const needed = manifest.discord.botPermissions;
  const bits = await discord.botPermissions(guildId);
  const invite = new URL(authorizeUrl);
  invite.search = new URLSearchParams({ client_id: clientId, scope: 'bot applications.commands', permissions: permissionInteger(needed), guild_id: guildId, disable_guild_select: 'true' }).toString();
  if (bits === null) {
    throw new ApiError(409, 'BOT_NOT_IN_GUILD', 'the bot is not in this guild', `Invite it with the permissions ${manifest.name} needs: ${invite.toString()}`);
  }
  const missing = needed.filter((p: BotPermission) => (bits & BOT_PERMISSION_BITS[p]) === 0n);
  if (missing.length > 0) {
    throw new ApiError(409, 'BOT_PERMISSION_MISSING', `the bot lacks ${missing.join(', ')} in this guild, which ${manifest.name} needs`, `Re-authorize the bot with permissions integer ${permissionInteger(needed)}: ${invite.toString()} (or give its role ${missing.join(', ')} in Server Settings > Roles).`);
  }
}
