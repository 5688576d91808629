import { defineEntity, p } from '@mikro-orm/core';

export const PLUGIN_MIGRATION_TABLE = 'kernel_plugin_migration';

/**
 * A plugin data migration applied to one namespace. The primary key is what makes a second
 * `up` of the same step a no-op, even when two runners race.
 */
export const PluginMigrationLedger = defineEntity({
  name: 'PluginMigrationLedger',
  tableName: PLUGIN_MIGRATION_TABLE,
  properties: {
    guildId: p.text().primary(),
    plugin: p.text().primary(),
    migrationId: p.text().primary(),
    pluginVersion: p.text(),
    appliedAt: p.datetime().defaultRaw('now()'),
  },
  // guild first, like PluginData, so a guild purge uses the primary key
  primaryKeys: ['guildId', 'plugin', 'migrationId'],
});
