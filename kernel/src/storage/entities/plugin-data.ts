import { defineEntity, p } from '@mikro-orm/core';

export const PLUGIN_DATA_TABLE = 'kernel_plugin_data';

/**
 * One key of one plugin's data in one guild. The store writes it with set-based SQL (see
 * PostgresPluginStore); the entity declares the schema so a test can check that the migrations
 * and the model agree. `bytes` is computed from the JSON text as the plugin wrote it, so quota
 * figures do not depend on how jsonb re-formats the value.
 */
export const PluginData = defineEntity({
  name: 'PluginData',
  tableName: PLUGIN_DATA_TABLE,
  properties: {
    guildId: p.text().primary(),
    plugin: p.text().primary(),
    // "C" collation: list() promises code-point key order and prefix scans on the primary key index.
    key: p.text().primary().collation('C'),
    value: p.json<unknown>(),
    bytes: p.integer(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  // guild first: a guild purge (offboarding) is then a prefix range of the primary key, with no
  // second index to maintain on the hottest table; get and list pin both columns anyway.
  primaryKeys: ['guildId', 'plugin', 'key'],
});
