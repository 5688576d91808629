import { Redis } from 'ioredis';
import pino from 'pino';
import { stringify } from 'yaml';
import type { RegistryRoutesOptions } from '@townesdev/registry/http';
import type { ApiDeps } from '../server/api-deps.ts';
import { buildApiServer } from '../server/api-server.ts';

/** Stands in for a dependency the routes only use while serving: generating the document never calls it. */
function notWhileGenerating<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`${what}.${String(property)} is not available while generating the OpenAPI document`);
    },
  });
}

/**
 * The OpenAPI 3.1 document of everything the API server serves (its own routes and the registry's
 * under /v1/registry), generated from the routes' zod schemas, as YAML. `npm run openapi` writes
 * it to docs/API/openapi.yaml; a test fails when that file is stale.
 */
export async function openApiYaml(): Promise<string> {
  // lazyConnect: the rate limiter registers a script on the client, which needs no connection
  const redis = new Redis({ lazyConnect: true });
  const deps: ApiDeps = {
    orm: notWhileGenerating('orm'),
    redis,
    redisPrefix: 'openapi:',
    discord: notWhileGenerating('discord'),
    registry: notWhileGenerating('registry'),
    notifier: notWhileGenerating('notifier'),
    settings: {
      oauth: { clientId: 'x', redirectUri: 'http://localhost/', authorizeUrl: 'http://localhost/' },
      sessionTtlMs: 1,
      cookieSecure: true,
      webOrigins: [],
      runnerToken: undefined,
      rateLimit: { max: 1, windowMs: 1 },
    },
  };
  const registry: RegistryRoutesOptions = { service: notWhileGenerating('registry service'), tokens: notWhileGenerating('publish tokens') };
  const app = await buildApiServer(deps, { logger: pino({ level: 'silent' }), registry, readCaches: false });
  try {
    await app.ready();
    return `# Generated from the routes' zod schemas by \`npm run openapi\`; do not edit by hand.\n${stringify(app.swagger(), { aliasDuplicateObjects: false, lineWidth: 0 })}`;
  } finally {
    await app.close();
    redis.disconnect();
  }
}
