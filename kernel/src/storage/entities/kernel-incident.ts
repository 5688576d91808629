import { defineEntity, p } from '@mikro-orm/core';
import type { IncidentSeverity, KernelIncident } from '../../quarantine/incident.ts';

export const KERNEL_INCIDENT_TABLE = 'kernel_incident';

/**
 * An incident the kernel reported. Kept even when the binary also forwards it to the API, so an
 * operator can see what a runner did while the API was unreachable.
 */
export const KernelIncidentRecord = defineEntity({
  name: 'KernelIncidentRecord',
  tableName: KERNEL_INCIDENT_TABLE,
  properties: {
    // bigint as string: ids never need arithmetic, and a JS number would lose precision past 2^53.
    id: p.bigint('string').primary().autoincrement(),
    plugin: p.text(),
    version: p.text(),
    guildId: p.text().nullable(),
    severity: p.text().$type<IncidentSeverity>(),
    kind: p.text().$type<KernelIncident['kind']>(),
    message: p.text(),
    at: p.datetime(),
  },
  // a guild's incident page lists its newest incidents first
  indexes: [{ name: 'kernel_incident_guild_id_at_index', properties: ['guildId', 'at'] }],
});
