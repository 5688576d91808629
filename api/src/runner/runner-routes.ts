import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { GuildParams } from '../marketplace/install-schemas.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { Guild, PluginInstallRecord, PLUGIN_INSTALL_TABLE } from '../storage/entities/index.ts';
import { addUsage } from '../usage/usage-counters.ts';
import { runnerGuard } from './runner-auth.ts';
import { DesiredState, RunnerGuildsQuery, RunnerGuildsReply, UsageReport } from './runner-schemas.ts';

const errors = { 400: ErrorReply, 401: ErrorReply };
const RUNNER_SECURITY = [{ runner: [] }];

/**
 * What runners read and report, authenticated as a runner: the guilds that have plugins, one
 * guild's desired state (re-read when the change notice names it), and usage counts.
 */
export const runnerRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.addHook('preHandler', runnerGuard(deps.settings.runnerToken));

  app.get('/internal/runner/guilds', {
    schema: { tags: ['runner'], operationId: 'runnerListGuilds', security: RUNNER_SECURITY, summary: 'Guilds with at least one plugin installed, by id', querystring: RunnerGuildsQuery, response: { 200: RunnerGuildsReply, ...errors } },
  }, async (request) => {
    const { after, limit } = request.query;
    // ids are snowflakes: order by (length, text) is numeric order without casting
    const rows = await deps.orm.em.getConnection().execute<{ guild_id: string }[]>(
      `select distinct "guild_id", length("guild_id") from "${PLUGIN_INSTALL_TABLE}" where ? or (length("guild_id"), "guild_id") > (length(?), ?) order by length("guild_id"), "guild_id" limit ?`,
      [after === undefined, after ?? '', after ?? '', limit],
    );
    const guilds = rows.map((r) => r.guild_id);
    return { guilds, next: guilds.length === limit ? (guilds.at(-1) ?? null) : null };
  });

  app.get('/internal/runner/guilds/:guildId/desired-state', {
    schema: { tags: ['runner'], operationId: 'runnerDesiredState', security: RUNNER_SECURITY, summary: "A guild's plugins, versions, config and grants", params: GuildParams, response: { 200: DesiredState, ...errors } },
  }, async (request) => {
    const em = deps.orm.em.fork();
    const rows = await em.find(PluginInstallRecord, { guildId: request.params.guildId }, { orderBy: { plugin: 'asc' } });
    const guild = await em.findOne(Guild, { id: request.params.guildId });
    return { guildId: request.params.guildId, tenantId: guild?.tenantId ?? null, plugins: rows.map(({ plugin, version, range, enabled, config, grants }) => ({ plugin, version, range, enabled, config, grants })) };
  });

  app.post('/internal/runner/usage', {
    schema: { tags: ['runner'], operationId: 'runnerReportUsage', security: RUNNER_SECURITY, summary: 'Add usage counts (events, actions, AI tokens) per guild and day', body: UsageReport, response: { 204: z.undefined(), ...errors } },
  }, async (request, reply) => {
    await addUsage(deps.orm.em.fork(), request.body.counts);
    return reply.code(204).send();
  });
};
