import { KernelIncidentRecord } from './kernel-incident.ts';
import { PluginData } from './plugin-data.ts';
import { PluginMigrationLedger } from './plugin-migration-ledger.ts';
import { PluginQuarantine } from './plugin-quarantine.ts';

export { KERNEL_INCIDENT_TABLE, KernelIncidentRecord } from './kernel-incident.ts';
export { PLUGIN_DATA_TABLE, PluginData } from './plugin-data.ts';
export { PLUGIN_MIGRATION_TABLE, PluginMigrationLedger } from './plugin-migration-ledger.ts';
export { EVERY_GUILD, PLUGIN_QUARANTINE_TABLE, PluginQuarantine } from './plugin-quarantine.ts';

/** Every entity the kernel owns, for the ORM config. */
export const kernelEntities = [PluginData, PluginMigrationLedger, PluginQuarantine, KernelIncidentRecord] as const;
