import type { InferEntity } from '@mikro-orm/core';
import type { PluginInstallRecord } from '../storage/entities/index.ts';
import type { InstallView } from './install-schemas.ts';

export type InstallRow = InferEntity<typeof PluginInstallRecord>;

/** An install as the API shows it (also what the audit log keeps as before/after). */
export function installView(row: InstallRow): InstallView {
  return {
    guildId: row.guildId,
    plugin: row.plugin,
    range: row.range,
    version: row.version,
    enabled: row.enabled,
    config: row.config,
    grants: row.grants,
    installedAt: row.installedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
