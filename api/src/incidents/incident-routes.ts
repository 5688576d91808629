import type { InferEntity } from '@mikro-orm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { recordAudit } from '../audit/audit-trail.ts';
import { guardGuild, guardTenant } from '../auth/guild-guard.ts';
import { SESSION_SECURITY, sessionGuard } from '../auth/session-guard.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { isRunner } from '../runner/runner-auth.ts';
import { notFound } from '../server/api-error.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { Guild, Incident, Tenant } from '../storage/entities/index.ts';
import { CreateIncidentBody, IncidentList, IncidentQuery, IncidentView } from './incident-schemas.ts';

const view = (i: InferEntity<typeof Incident>): z.infer<typeof IncidentView> => ({
  id: i.id,
  tenantId: i.tenantId,
  guildId: i.guildId ?? null,
  severity: i.severity,
  source: i.source,
  title: i.title,
  detail: i.detail ?? null,
  createdAt: i.createdAt.toISOString(),
});

/** Incidents: reported by a runner (runner credential) or by a guild admin (session), listed per tenant. */
export const incidentRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore }> = async (app, { deps, sessions }) => {
  const guard = sessionGuard(sessions);

  app.post('/v1/incidents', {
    schema: {
      tags: ['incidents'],
      operationId: 'createIncident',
      security: [...SESSION_SECURITY, { runner: [] }],
      summary: 'Report an incident for a tenant (and guild): by a runner, or by an admin of that guild',
      body: CreateIncidentBody,
      response: { 201: IncidentView, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply },
    },
  }, async (request, reply) => {
    const body = request.body;
    const em = deps.orm.em.fork();
    let source = 'runner';
    if (!isRunner(request, deps.settings.runnerToken)) {
      await guard.call(app, request, reply);
      const auth = guardTenant(request, body.tenantId);
      if (body.guildId) await guardGuild(em, request, body.guildId);
      source = `user:${auth.userId}`;
    } else {
      if (!(await em.findOne(Tenant, { id: body.tenantId }))) throw notFound(`tenant ${body.tenantId}`);
      const guild = body.guildId ? await em.findOne(Guild, { id: body.guildId }) : null;
      if (body.guildId && guild?.tenantId !== body.tenantId) throw notFound(`guild ${body.guildId} of tenant ${body.tenantId}`);
    }
    const actor = request.auth?.userId;
    const incident = await em.transactional(async (tx) => {
      const row = tx.create(Incident, { tenantId: body.tenantId, guildId: body.guildId ?? null, severity: body.severity, source, title: body.title, detail: body.detail ?? null });
      await tx.flush();
      // a person's report is a change they made, audited in the same transaction; a runner's is not a person's
      if (actor) recordAudit(tx, { tenantId: body.tenantId, guildId: body.guildId ?? null, actorUserId: actor, action: 'incident.create', target: row.id, after: view(row), requestId: String(request.id) });
      return row;
    });
    request.log.warn({ tenantId: body.tenantId, guildId: body.guildId, severity: body.severity, source }, `incident: ${body.title}`);
    return reply.code(201).send(view(incident));
  });

  app.get('/v1/tenants/:tenantId/incidents', {
    preHandler: guard,
    schema: {
      tags: ['incidents'],
      operationId: 'listIncidents', security: SESSION_SECURITY,
      summary: "The tenant's incidents, newest first",
      params: z.object({ tenantId: z.uuid() }),
      querystring: IncidentQuery,
      response: { 200: IncidentList, 401: ErrorReply, 404: ErrorReply },
    },
  }, async (request) => {
    guardTenant(request, request.params.tenantId);
    const rows = await deps.orm.em.fork().find(Incident, { tenantId: request.params.tenantId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: request.query.limit });
    return { incidents: rows.map(view) };
  });
};
