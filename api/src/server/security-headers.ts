import type { FastifyInstance } from 'fastify';

/**
 * The security headers of a JSON API (OWASP's REST Security Cheat Sheet), on every reply. Not
 * helmet's defaults: those are for HTML pages (script and style sources, DNS prefetch, download
 * options...), and each header costs on every reply. What a JSON API needs:
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // nothing in a reply may load or run anything, nor be framed, should a browser ever render it
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  // a reply is what its content-type says (JSON), never sniffed into HTML
  'x-content-type-options': 'nosniff',
  // HTTPS only, for a year (ignored over plain http in development)
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'no-referrer',
  // replies carry a tenant's data: no shared or browser cache keeps them
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
});

/** Adds the headers to every reply of `app` (registered on the root, so every route has them). */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
}
