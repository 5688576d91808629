/**
 * The registry on its own (`townes registry`): a Fastify server with request ids, a pino logger,
 * and the registry routes at the root (or under `prefix`). The API server does not use this; it
 * mounts `registryRoutes` in its own server, with its own genReqId and logger.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from '@townesdev/plugin-contract';
import { RegistryHttpError } from './http-errors.ts';
import { registryRoutes, sendRegistryError } from './registry-routes.ts';
import type { RegistryRoutesOptions } from './registry-routes.ts';

export interface RegistryServerOptions extends RegistryRoutesOptions {
  /** A pino logger (the binary's); otherwise Fastify's own pino at `logLevel`. */
  logger?: FastifyBaseLogger;
  /** For Fastify's own logger when `logger` is not given. Default 'info'; 'silent' for tests. */
  logLevel?: string;
  /** Where the routes live. Default: the root. */
  prefix?: string;
  /** Trust X-Forwarded-* from a reverse proxy in front (request.ip, protocol). Default false. */
  trustProxy?: boolean;
}

/** A request id the client chose is kept when it is short and plain (so logs on both sides join up); otherwise a fresh UUID. */
export function registryRequestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}

/** Build (not start) the registry server; `await app.listen({ port, host })` starts it. */
export async function createRegistryServer(options: RegistryServerOptions): Promise<FastifyInstance> {
  const { logger, logLevel, prefix, trustProxy, ...routes } = options;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: { level: logLevel ?? 'info' } }),
    genReqId: registryRequestId,
    trustProxy: trustProxy ?? false,
    // the publish route raises its own limit; everything else is small JSON
    bodyLimit: 64 * 1024,
    // an encoded scoped name of 214 characters is longer than the default 100
    routerOptions: { maxParamLength: 512 },
    // a malformed URL or an overlong segment fails before any route (or error handler) is chosen
    frameworkErrors: (error, request, reply) => {
      void sendRegistryError(error, request, reply);
    },
  });
  // errors outside the routes' context (a prefix's siblings) answer in the same shape too
  app.setErrorHandler((error, request, reply) => sendRegistryError(error, request, reply));
  if (prefix) {
    app.setNotFoundHandler((request, reply) =>
      sendRegistryError(new RegistryHttpError(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, `The registry routes are under ${prefix}.`), request, reply),
    );
  }
  await app.register(registryRoutes, { ...routes, ...(prefix ? { prefix } : {}) });
  return app;
}
