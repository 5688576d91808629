import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { guardTenant } from '../auth/guild-guard.ts';
import { SESSION_SECURITY, sessionGuard } from '../auth/session-guard.ts';
import type { SessionStore } from '../auth/session-store.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { AuditLog } from '../storage/entities/index.ts';
import { AuditPage, AuditQuery } from './audit-schemas.ts';

/** Who changed what in the tenant, newest first (paged by `before`, an entry id). */
export const auditRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore }> = async (app, { deps, sessions }) => {
  app.get('/v1/tenants/:tenantId/audit', {
    preHandler: sessionGuard(sessions),
    schema: {
      tags: ['audit'],
      operationId: 'listAudit', security: SESSION_SECURITY,
      summary: "The tenant's audit log",
      params: z.object({ tenantId: z.uuid() }),
      querystring: AuditQuery,
      response: { 200: AuditPage, 400: ErrorReply, 401: ErrorReply, 404: ErrorReply },
    },
  }, async (request) => {
    guardTenant(request, request.params.tenantId);
    const where = request.query.before ? { tenantId: request.params.tenantId, id: { $lt: request.query.before } } : { tenantId: request.params.tenantId };
    const rows = await deps.orm.em.fork().find(AuditLog, where, { orderBy: { id: 'desc' }, limit: request.query.limit });
    return {
      entries: rows.map((r) => ({ id: r.id, guildId: r.guildId ?? null, actorUserId: r.actorUserId, action: r.action, target: r.target, before: r.before ?? null, after: r.after ?? null, requestId: r.requestId, at: r.at.toISOString() })),
    };
  });
};
