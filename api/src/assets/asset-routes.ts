import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { canManageGuild } from '../auth/guild-access.ts';
import { admitToGuild, guardTenant } from '../auth/guild-guard.ts';
import { SESSION_SECURITY, sessionGuard } from '../auth/session-guard.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { GuildParams } from '../marketplace/install-schemas.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { Guild, PluginInstallRecord, Tenant } from '../storage/entities/index.ts';
import type { GuildSnapshots } from '../read-model/guild-snapshots.ts';
import { AssetDetail, TenantAssets } from './asset-schemas.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply };

/** A tenant's guilds ("assets") with plan and feature flags, and one guild's config, features and usage. */
export const assetRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore; snapshots: GuildSnapshots }> = async (app, { deps, sessions, snapshots }) => {
  app.addHook('preHandler', sessionGuard(sessions));

  app.get('/v1/tenants/:tenantId/assets', {
    schema: { tags: ['assets'], operationId: 'listAssets', security: SESSION_SECURITY, summary: "The tenant's guilds with plan and feature flags", params: z.object({ tenantId: z.uuid() }), response: { 200: TenantAssets, ...errors } },
  }, async (request) => {
    const auth = guardTenant(request, request.params.tenantId);
    const em = deps.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, { id: auth.tenantId });
    const guilds = await em.find(Guild, { tenantId: tenant.id }, { orderBy: { name: 'asc' } });
    const installs = await em.find(PluginInstallRecord, { guildId: { $in: guilds.map((g) => g.id) } }, { orderBy: { plugin: 'asc' } });
    return {
      tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
      assets: guilds.map((g) => {
        const access = auth.guilds.find((a) => a.id === g.id);
        return {
          id: g.id,
          name: g.name,
          plan: tenant.plan,
          canManage: access ? canManageGuild(access) : false,
          features: installs.filter((i) => i.guildId === g.id).map((i) => ({ plugin: i.plugin, version: i.version, enabled: i.enabled })),
        };
      }),
    };
  });

  app.get('/v1/assets/:guildId', {
    schema: { tags: ['assets'], operationId: 'getAsset', security: SESSION_SECURITY, summary: "A guild's plugins (config, grants, versions) and its last 7 days of usage", params: GuildParams, response: { 200: AssetDetail, ...errors } },
  }, async (request) => {
    const { guildId } = request.params;
    const snapshot = await snapshots.snapshot(guildId);
    admitToGuild(request, guildId, snapshot?.guild ?? null);
    const { guild, installs } = snapshot!;
    return { id: guild.id, name: guild.name, plan: guild.plan, plugins: installs, usage: await snapshots.recentUsage(guildId) };
  });
};
