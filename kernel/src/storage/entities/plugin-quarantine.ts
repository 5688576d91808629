import { defineEntity, p } from '@mikro-orm/core';
import type { QuarantineReason } from '../../quarantine/incident.ts';

export const PLUGIN_QUARANTINE_TABLE = 'kernel_plugin_quarantine';

/** Stored in `guild_id` for a quarantine that applies everywhere: a primary key column cannot be null. */
export const EVERY_GUILD = '*';

/** A plugin version stopped for one guild or everywhere (see QuarantineRecord). */
export const PluginQuarantine = defineEntity({
  name: 'PluginQuarantine',
  tableName: PLUGIN_QUARANTINE_TABLE,
  properties: {
    plugin: p.text().primary(),
    version: p.text().primary(),
    guildId: p.text().primary(),
    reason: p.text().$type<QuarantineReason>(),
    message: p.text(),
    since: p.datetime(),
  },
  primaryKeys: ['plugin', 'version', 'guildId'],
});
