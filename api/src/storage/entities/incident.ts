import { defineEntity, p } from '@mikro-orm/core';
import type { IncidentSeverityLevel } from '../../incidents/incident-schemas.ts';

export const INCIDENT_TABLE = 'api_incident';

/** Something a guild admin or operator should know about: reported by a runner or a person. */
export const Incident = defineEntity({
  name: 'Incident',
  tableName: INCIDENT_TABLE,
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    tenantId: p.uuid(),
    guildId: p.text().nullable(),
    severity: p.text().$type<IncidentSeverityLevel>(),
    source: p.text(),
    title: p.text(),
    detail: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'api_incident_tenant_id_created_at_index', properties: ['tenantId', 'createdAt'] }],
});
