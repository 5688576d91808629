import { z } from 'zod';

export const INCIDENT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type IncidentSeverityLevel = (typeof INCIDENT_SEVERITIES)[number];

export const CreateIncidentBody = z
  .strictObject({
    tenantId: z.uuid(),
    guildId: z.string().regex(/^\d{15,21}$/).optional(),
    severity: z.enum(INCIDENT_SEVERITIES),
    title: z.string().min(1).max(200),
    detail: z.string().max(10_000).optional(),
  })
  .meta({ id: 'CreateIncident' });

export const IncidentView = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    guildId: z.string().nullable(),
    severity: z.enum(INCIDENT_SEVERITIES),
    source: z.string().describe('`user:<id>` or `runner`'),
    title: z.string(),
    detail: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Incident' });

export const IncidentQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const IncidentList = z.object({ incidents: z.array(IncidentView) }).meta({ id: 'IncidentList' });
