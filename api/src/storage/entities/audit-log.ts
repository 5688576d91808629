import { defineEntity, p } from '@mikro-orm/core';

export const AUDIT_LOG_TABLE = 'api_audit_log';

/** One change a person made: who, what, the state before and after, and the request it came from. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: AUDIT_LOG_TABLE,
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    tenantId: p.uuid(),
    guildId: p.text().nullable(),
    actorUserId: p.text(),
    action: p.text(),
    target: p.text(),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    requestId: p.text(),
    at: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'api_audit_log_tenant_id_at_index', properties: ['tenantId', 'at'] }],
});
