import type { EntityManager } from '@mikro-orm/core';
import type { FastifyRequest } from 'fastify';
import type { PlanId } from '../plans/plan.ts';
import { ApiError, notFound } from '../server/api-error.ts';
import { tagRequestLog } from '../server/request-log-tags.ts';
import { Guild, Tenant } from '../storage/entities/index.ts';
import { canManageGuild } from './guild-access.ts';
import type { SessionView } from './session-store.ts';
import { authOf } from './session-guard.ts';

/** What the guard needs to know of a guild: whose it is, and that tenant's plan. */
export interface GuardedGuild {
  id: string;
  name: string;
  tenantId: string;
  plan: PlanId;
}

/**
 * The rule of every guild route: the guild belongs to the caller's tenant (else 404, the same
 * answer as for a guild that does not exist, so other tenants' guilds cannot be probed) and
 * Discord says the caller may manage it (Manage Server, Administrator or owner; else 403). Tags
 * the request's logs with the guild.
 */
export function admitToGuild(request: FastifyRequest, guildId: string, guild: GuardedGuild | null): SessionView {
  const auth = authOf(request);
  if (!guild || guild.tenantId !== auth.tenantId) throw notFound(`guild ${guildId}`, 'List your guilds with GET /v1/tenants/{tenantId}/assets.');
  const access = auth.guilds.find((g) => g.id === guildId);
  if (!access || !canManageGuild(access)) {
    throw new ApiError(403, 'MANAGE_GUILD_REQUIRED', `you need the Manage Server permission in ${guild.name} to change it`, 'Ask the server owner for Manage Server (or Administrator), then log in again.');
  }
  tagRequestLog(request, { guildId });
  return auth;
}

/** The guard for writes: reads the guild and its tenant inside the caller's transaction. */
export async function guardGuild(em: EntityManager, request: FastifyRequest, guildId: string) {
  authOf(request);
  const row = await em.findOne(Guild, { id: guildId });
  const tenant = row ? await em.findOneOrFail(Tenant, { id: row.tenantId }) : null;
  const auth = admitToGuild(request, guildId, row && tenant ? { id: row.id, name: row.name, tenantId: row.tenantId, plan: tenant.plan } : null);
  return { guild: row!, tenant: tenant!, auth };
}

/** The guard of tenant routes: only the tenant's own members (else 404, as for a tenant that does not exist). */
export function guardTenant(request: FastifyRequest, tenantId: string) {
  const auth = authOf(request);
  if (auth.tenantId !== tenantId) throw notFound(`tenant ${tenantId}`);
  return auth;
}
