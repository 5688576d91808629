/**
 * A registry world (test database, blob store, keys, trust store) served over real HTTP on a
 * loopback port, with publish tokens for @acme/* and @other/*.
 */
import type { FastifyInstance } from 'fastify';
import { createRegistryServer } from '../../src/http/registry-server.ts';
import { PublishTokens } from '../../src/service/publish-tokens.ts';
import { makeRegistryWorld, type RegistryWorld } from '../service/fixtures.ts';

export interface HttpWorld extends RegistryWorld {
  app: FastifyInstance;
  url: string;
  tokens: PublishTokens;
  acmeToken: string;
  otherToken: string;
}

export async function makeHttpWorld(options: { index?: { refreshAfterMs?: number } } = {}): Promise<HttpWorld> {
  const world = await makeRegistryWorld();
  const tokens = new PublishTokens(world.orm);
  const acme = await tokens.create({ label: 'Acme CI', scopes: ['@acme/*'] });
  const other = await tokens.create({ label: 'Other', scopes: ['@other/*'] });
  const app = await createRegistryServer({ service: world.service, tokens, logLevel: 'silent', index: options.index ?? {} });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...world,
    app,
    url: address,
    tokens,
    acmeToken: acme.token,
    otherToken: other.token,
    async close() {
      await app.close();
      await world.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `/packages/@acme%2Fname/versions/1.0.0` */
export const versionPath = (name: string, version: string) => `/packages/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
