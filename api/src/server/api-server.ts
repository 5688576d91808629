import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER } from '@townesdev/plugin-contract';
import { REGISTRY_SECURITY_SCHEMES, registryRoutes, type RegistryRoutesOptions } from '@townesdev/registry/http';
import { assetRoutes } from '../assets/asset-routes.ts';
import { auditRoutes } from '../audit/audit-routes.ts';
import { authRoutes } from '../auth/auth-routes.ts';
import { SESSION_COOKIE, sessionOf } from '../auth/session-guard.ts';
import { SessionStore } from '../auth/session-store.ts';
import { healthRoutes } from '../health/health-routes.ts';
import { incidentRoutes } from '../incidents/incident-routes.ts';
import { catalogRoutes } from '../marketplace/catalog-routes.ts';
import { installRoutes } from '../marketplace/install-routes.ts';
import { runnerRoutes } from '../runner/runner-routes.ts';
import { GuildSnapshots } from '../read-model/guild-snapshots.ts';
import { ReadModelInvalidation, SESSION_ENDED_CHANNEL } from '../read-model/read-model-invalidation.ts';
import { usageRoutes } from '../usage/usage-routes.ts';
import { ApiError } from './api-error.ts';
import type { ApiDeps } from './api-deps.ts';
import { frameworkErrorReply, installErrorHandling } from './error-handler.ts';
import { requestIdOf } from './request-id.ts';
import { refuseNulCharacters } from './nul-guard.ts';
import { installSecurityHeaders } from './security-headers.ts';

export const API_VERSION = '1.0.0';

export interface ApiServerOptions {
  logger: Logger;
  /** Mount the registry's routes under /v1/registry (one process serving both, as `townes start` does). */
  registry?: RegistryRoutesOptions;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Keep read caches (sessions, guild snapshots) invalidated through Redis notices; default true.
   * Off, every read goes to PostgreSQL (and nothing subscribes to Redis: generating the document).
   */
  readCaches?: boolean;
}

/**
 * The control-plane HTTP server: request ids on every reply and log line, one error shape,
 * security headers, CORS for the web app, Redis-backed rate limiting, zod validation and
 * serialization on every route, and the OpenAPI document generated from the same schemas.
 */
export async function buildApiServer(deps: ApiDeps, options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: requestIdOf,
    frameworkErrors: frameworkErrorReply,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // scoped plugin names and their versions make long path parameters
    routerOptions: { maxParamLength: 512 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  installErrorHandling(app);
  refuseNulCharacters(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'TownesDev Bot Platform API', version: API_VERSION, description: 'The control plane: Discord login, tenants, guilds, the per-guild plugin marketplace, usage, incidents, and the runner endpoints.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The login cookie set by POST /v1/auth/discord/callback' },
          runner: { type: 'http', scheme: 'bearer', description: 'RUNNER_TOKEN, for the /internal/runner routes' },
          ...REGISTRY_SECURITY_SCHEMES,
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  installSecurityHeaders(app);
  await app.register(cors, { origin: deps.settings.webOrigins, credentials: true, exposedHeaders: [REQUEST_ID_HEADER, 'retry-after'] });
  await app.register(cookie);
  const caching = options.readCaches ?? true;
  const sessions = new SessionStore(deps.orm, deps.settings.sessionTtlMs, {
    cacheMs: caching ? 60_000 : 0,
    onEnded: async (tokenHash) => void (await deps.redis.publish(deps.redisPrefix + SESSION_ENDED_CHANNEL, tokenHash)),
  });
  const snapshots = new GuildSnapshots(deps.orm, { disabled: !caching });
  if (caching) {
    const invalidation = await ReadModelInvalidation.start(deps.redis, deps.redisPrefix, snapshots, sessions, app.log);
    app.addHook('onClose', () => invalidation.stop());
  }
  await app.register(rateLimit, {
    redis: deps.redis,
    nameSpace: `${deps.redisPrefix}rate-limit:`,
    max: deps.settings.rateLimit.max,
    timeWindow: deps.settings.rateLimit.windowMs,
    // per login when the cookie is a live session (many admins share an office IP), else per
    // address: a made-up cookie must not buy a fresh allowance
    keyGenerator: async (request) => {
      const session = await sessionOf(sessions, request);
      return session ? `s:${session.tokenHash}` : `ip:${request.ip}`;
    },
    // health probes and runners are infrastructure, not people: they are never throttled
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz' || request.url.startsWith('/internal/runner/'),
    errorResponseBuilder: (_request, context) => new ApiError(429, 'RATE_LIMITED', `too many requests: at most ${context.max} per ${context.after}`, `Retry after ${context.after}.`),
  });

  await app.register(healthRoutes, { deps });
  await app.register(authRoutes, { deps, sessions });
  await app.register(assetRoutes, { deps, sessions, snapshots });
  await app.register(catalogRoutes, { deps });
  await app.register(installRoutes, { deps, sessions, snapshots });
  await app.register(usageRoutes, { deps, sessions });
  await app.register(incidentRoutes, { deps, sessions });
  await app.register(auditRoutes, { deps, sessions });
  await app.register(runnerRoutes, { deps });
  if (options.registry) await app.register(registryRoutes, { ...options.registry, prefix: '/v1/registry' });
  return app;
}
