import { z } from 'zod';

export const AuditEntryView = z
  .object({
    id: z.string(),
    guildId: z.string().nullable(),
    actorUserId: z.string(),
    action: z.string(),
    target: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().regex(/^\d{1,18}$/).optional().describe('Entries older than this id') });
export const AuditPage = z.object({ entries: z.array(AuditEntryView) }).meta({ id: 'AuditPage' });
