import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { guardGuild } from '../auth/guild-guard.ts';
import { SESSION_SECURITY, sessionGuard } from '../auth/session-guard.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { GuildParams } from '../marketplace/install-schemas.ts';
import { ApiError } from '../server/api-error.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { dailyUsage, daysBefore, utcToday } from './usage-counters.ts';
import { MAX_DAYS, UsageQuery, UsageReply } from './usage-schemas.ts';


/** A guild's daily usage counters (events handled, Discord actions, AI tokens). */
export const usageRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore }> = async (app, { deps, sessions }) => {
  app.get('/v1/usage/:guildId/daily', {
    preHandler: sessionGuard(sessions),
    schema: {
      tags: ['usage'],
      operationId: 'getDailyUsage', security: SESSION_SECURITY,
      summary: "A guild's counters per day (default: the last 30 days)",
      params: GuildParams,
      querystring: UsageQuery,
      response: { 200: UsageReply, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply },
    },
  }, async (request) => {
    const to = request.query.to ?? utcToday();
    const from = request.query.from ?? daysBefore(to, 29);
    const span = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (span < 1 || span > MAX_DAYS) throw new ApiError(400, 'INVALID_RANGE', `from must not be after to, and the range is at most ${MAX_DAYS} days (got ${span})`);
    const em = deps.orm.em.fork();
    await guardGuild(em, request, request.params.guildId);
    return { guildId: request.params.guildId, days: await dailyUsage(em, request.params.guildId, from, to) };
  });
};
