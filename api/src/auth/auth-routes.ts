import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { ApiError } from '../server/api-error.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { AppUser, Tenant } from '../storage/entities/index.ts';
import { CallbackBody, LoginReply, SessionReply } from './auth-schemas.ts';
import { recordLogin } from './login.ts';
import { OAuthStateStore } from './oauth-state-store.ts';
import { SESSION_COOKIE, SESSION_SECURITY, authOf, sessionGuard } from './session-guard.ts';
import type { SessionStore } from './session-store.ts';

const STATE_COOKIE = 'townes_oauth_state';
/** Least privilege: who the user is and which guilds they are in, nothing else. */
const SCOPES = 'identify guilds';

/** Discord login (OAuth2 authorization code with `state`), the session, logout. */
export const authRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore }> = async (app, { deps, sessions }) => {
  const states = new OAuthStateStore(deps.redis, deps.redisPrefix);
  const { oauth, cookieSecure, sessionTtlMs } = deps.settings;
  const cookie = { httpOnly: true, secure: cookieSecure, sameSite: 'lax', path: '/' } as const;

  app.get('/v1/auth/discord/login', {
    schema: {
      tags: ['auth'],
      operationId: 'startDiscordLogin',
      summary: "Redirect the browser to Discord's consent page",
      response: { 302: z.undefined().describe('To Discord, with a fresh `state` (also set as a cookie)') },
    },
  }, async (_request, reply) => {
    const state = await states.issue();
    const url = new URL(oauth.authorizeUrl);
    url.search = new URLSearchParams({ client_id: oauth.clientId, redirect_uri: oauth.redirectUri, response_type: 'code', scope: SCOPES, state }).toString();
    reply.setCookie(STATE_COOKIE, state, { ...cookie, maxAge: 600 });
    return reply.redirect(url.toString(), 302);
  });

  app.post('/v1/auth/discord/callback', {
    schema: {
      tags: ['auth'],
      operationId: 'completeDiscordLogin',
      summary: 'Finish the login: exchange the code, create the tenant on first login, start a session',
      body: CallbackBody,
      response: { 200: LoginReply, 400: ErrorReply, 401: ErrorReply, 502: ErrorReply },
    },
  }, async (request, reply) => {
    const { code, state } = request.body;
    // the state must be the one this browser was given (cookie) and one we issued, unused (Redis)
    const fromCookie = request.cookies[STATE_COOKIE];
    if (fromCookie !== state || !(await states.take(state))) {
      throw new ApiError(400, 'OAUTH_STATE_INVALID', 'the login state does not match this browser, expired, or was already used', 'Start the login again: GET /v1/auth/discord/login.');
    }
    const accessToken = await deps.discord.exchangeCode(code, oauth.redirectUri);
    const [user, guilds] = await Promise.all([deps.discord.currentUser(accessToken), deps.discord.currentUserGuilds(accessToken)]);
    const login = await recordLogin(deps.orm, user, guilds, String(request.id));
    const session = await sessions.create(login.userId, login.tenantId, guilds);
    const tenant = await deps.orm.em.fork().findOneOrFail(Tenant, { id: login.tenantId });
    reply.clearCookie(STATE_COOKIE, { path: '/' });
    reply.setCookie(SESSION_COOKIE, session.token, { ...cookie, maxAge: Math.floor(sessionTtlMs / 1000) });
    request.log.info({ tenantId: login.tenantId, userId: login.userId, newTenant: login.newTenant }, 'logged in');
    return {
      user: { id: user.id, username: user.username },
      tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
      newTenant: login.newTenant,
      claimedGuilds: login.claimed,
      expiresAt: session.expiresAt.toISOString(),
    };
  });

  app.get('/v1/auth/session', {
    preHandler: sessionGuard(sessions),
    schema: { tags: ['auth'], operationId: 'getSession', security: SESSION_SECURITY, summary: 'Who is logged in', response: { 200: SessionReply, 401: ErrorReply } },
  }, async (request) => {
    const auth = authOf(request);
    const em = deps.orm.em.fork();
    const [user, tenant] = await Promise.all([em.findOneOrFail(AppUser, { id: auth.userId }), em.findOneOrFail(Tenant, { id: auth.tenantId })]);
    return { user: { id: user.id, username: user.username }, tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan }, expiresAt: auth.expiresAt.toISOString() };
  });

  app.post('/v1/auth/logout', {
    preHandler: sessionGuard(sessions),
    schema: { tags: ['auth'], operationId: 'logout', security: SESSION_SECURITY, summary: 'End the session', response: { 204: z.undefined(), 401: ErrorReply } },
  }, async (request, reply) => {
    await sessions.destroy(authOf(request).tokenHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
};
