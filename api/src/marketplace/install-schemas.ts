import { z } from 'zod';
import { Capability, PluginName } from '@townesdev/plugin-contract';

export const GuildParams = z.object({ guildId: z.string().regex(/^\d{15,21}$/, 'a Discord guild id (snowflake)') });
export const GuildPluginParams = GuildParams.extend({ plugin: PluginName.describe('The plugin name, URL-encoded (`%40scope%2Fname`)') });

const VersionSpec = z.string().min(1).max(64).describe('An exact version (a pin, the only way down) or a semver range such as ^1.0.0');
const Config = z.record(z.string(), z.unknown()).describe("Validated against the manifest's config schema");

export const InstallBody = z
  .strictObject({
    plugin: PluginName,
    version: VersionSpec.default('*'),
    grants: z.array(Capability).max(32).describe("The permissions the admin grants; must cover the manifest's"),
    config: Config.default({}),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'InstallPlugin' });

export const ConfigureBody = z.strictObject({ config: Config }).meta({ id: 'ConfigurePlugin' });

export const UpgradeBody = z
  .strictObject({ version: VersionSpec, grants: z.array(Capability).max(32).optional().describe('A new grant, needed when the new version asks for more') })
  .meta({ id: 'UpgradePlugin' });

export const InstallView = z
  .object({
    guildId: z.string(),
    plugin: z.string(),
    range: z.string().describe('What the admin asked for'),
    version: z.string().describe('The exact version it resolved to'),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()),
    grants: z.array(z.string()),
    installedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'PluginInstall' });
export type InstallView = z.infer<typeof InstallView>;
