import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's security headers (HSTS, nosniff, frame and referrer policies, a strict CSP...), worked
 * out once at start and set on every reply. @fastify/helmet rebuilds the whole helmet middleware
 * for every request, which measured at several percent of the API's CPU per request; the headers
 * of this JSON API never vary (no CSP nonces), so they are computed once from helmet itself.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet()({} as never, response as never, () => {});
  return headers;
}

/** Adds the headers to every reply of `app` (registered on the root, so every route has them). */
export function installSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders();
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
}
