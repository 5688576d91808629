import { defineEntity, p } from '@mikro-orm/core';

export const PLUGIN_INSTALL_TABLE = 'api_plugin_install';

/**
 * One plugin installed on one guild (the seed's GuildFeature): the version range the admin asked
 * for, the exact version it resolved to, whether it is enabled, its config and the permissions
 * the admin granted. `version` never moves down on its own: only an explicit pin lowers it.
 */
export const PluginInstallRecord = defineEntity({
  name: 'PluginInstallRecord',
  tableName: PLUGIN_INSTALL_TABLE,
  properties: {
    guildId: p.text().primary(),
    plugin: p.text().primary(),
    range: p.text(),
    version: p.text(),
    enabled: p.boolean(),
    config: p.json<Record<string, unknown>>(),
    grants: p.json<string[]>(),
    installedAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  primaryKeys: ['guildId', 'plugin'],
});
