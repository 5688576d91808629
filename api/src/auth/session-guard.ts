import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ApiError } from '../server/api-error.ts';
import { tagRequestLog } from '../server/request-log-tags.ts';
import type { SessionStore, SessionView } from './session-store.ts';

export const SESSION_COOKIE = 'townes_session';

/** OpenAPI: the route needs the session cookie (the `session` security scheme). */
export const SESSION_SECURITY = [{ session: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in person, set by sessionGuard; null on routes that do not require a login. */
    auth: SessionView | null;
  }
}

const looked = new WeakMap<FastifyRequest, Promise<SessionView | null>>();

/**
 * The live session a request's cookie names, or null; looked up once per request, however many
 * hooks ask (the rate limiter keys on it before the guard reads it).
 */
export function sessionOf(sessions: SessionStore, request: FastifyRequest): Promise<SessionView | null> {
  let found = looked.get(request);
  if (!found) {
    const token = request.cookies?.[SESSION_COOKIE];
    found = token ? sessions.find(token) : Promise.resolve(null);
    looked.set(request, found);
  }
  return found;
}

/** A preHandler that refuses a request without a live session (401) and tags its logs with the tenant. */
export function sessionGuard(sessions: SessionStore): preHandlerAsyncHookHandler {
  return async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    const session = await sessionOf(sessions, request);
    if (!session) {
      throw new ApiError(401, 'UNAUTHENTICATED', token ? 'the session has expired or was logged out' : 'this route needs a login', 'Log in with Discord: GET /v1/auth/discord/login.');
    }
    request.auth = session;
    tagRequestLog(request, { tenantId: session.tenantId, userId: session.userId });
  };
}

/** The session of a route behind sessionGuard. */
export function authOf(request: FastifyRequest): SessionView {
  if (!request.auth) throw new ApiError(401, 'UNAUTHENTICATED', 'this route needs a login', 'Log in with Discord: GET /v1/auth/discord/login.');
  return request.auth;
}
