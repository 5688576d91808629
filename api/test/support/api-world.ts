/**
 * One running control plane for end-to-end tests: a fresh PostgreSQL database (API and registry
 * tables), a Redis key prefix of its own, the project's Discord simulator for OAuth and the bot's
 * view of guilds, a registry with signed test plugins, and the API listening on a real port.
 * `login(userId)` goes through the whole OAuth flow as a browser would and returns an HTTP client
 * holding that user's session cookie.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { generateSigningKey, parseTrustStore, type SigningKey } from '@townesdev/registry';
import { DiskBlobStore, RegistryService, createRegistryOrm, migrateRegistry, type RegistryOrm } from '@townesdev/registry/service';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';
import { DiscordClient } from '../../src/auth/discord-client.ts';
import { GuildChangeNotifier } from '../../src/runner/guild-change-notifier.ts';
import type { ApiDeps, ApiSettings } from '../../src/server/api-deps.ts';
import { buildApiServer } from '../../src/server/api-server.ts';
import { createApiOrm, migrateApi, type ApiOrm } from '../../src/storage/api-orm.ts';
import { HttpClient } from './http-client.ts';

export const CLIENT_ID = 'townes-test-app';
export const CLIENT_SECRET = 'test-secret-1234567890';
export const REDIRECT_URI = 'http://app.townes.test/auth/callback';
export const RUNNER_TOKEN = 'runner-token-for-tests-0123456789';

export interface ApiWorld {
  db: TestDatabase;
  orm: ApiOrm;
  registryOrm: RegistryOrm;
  registry: RegistryService;
  publisherKey: SigningKey;
  redis: Redis;
  redisPrefix: string;
  sim: DiscordSimulator;
  app: FastifyInstance;
  baseUrl: string;
  settings: ApiSettings;
  /** An anonymous client (no cookies yet). */
  anonymous(): HttpClient;
  /** Another API instance on the same database and Redis (as in a scaled-out deployment); closed with the world. */
  secondInstance(): Promise<string>;
  /** Log `userId` in through Discord OAuth; the client holds the session cookie. */
  login(userId: string): Promise<HttpClient>;
  close(): Promise<void>;
}

export async function startApiWorld(overrides: Partial<ApiSettings> = {}, options: { botPermissionTtlMs?: number; logLevel?: string; logDestination?: { write(line: string): void } } = {}): Promise<ApiWorld> {
  const db = await createTestDatabase('townes_api_test');
  const orm = await createApiOrm(db.url, { logMigrations: false });
  await migrateApi(orm);
  const registryOrm = await createRegistryOrm(db.url, { logMigrations: false });
  await migrateRegistry(registryOrm);
  const blobDir = await mkdtemp(path.join(os.tmpdir(), 'townes-api-blobs-'));
  const registryKey = generateSigningKey();
  const publisherKey = generateSigningKey();
  const trust = parseTrustStore({
    version: 1,
    registryKeys: [{ keyId: registryKey.keyId, publicKey: registryKey.publicKeyPem, label: 'test registry' }],
    publishers: [{ keyId: publisherKey.keyId, publicKey: publisherKey.publicKeyPem, scopes: ['@test/*'], label: 'Test publisher' }],
  });
  const registry = new RegistryService({ orm: registryOrm, blobs: new DiskBlobStore(blobDir), trust, registryKey: { privateKeyPem: registryKey.privateKeyPem } });

  const sim = await startDiscordSimulator();
  sim.oauth.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const redisPrefix = `townes-test:${randomBytes(6).toString('hex')}:`;
  const settings: ApiSettings = {
    oauth: { clientId: CLIENT_ID, redirectUri: REDIRECT_URI, authorizeUrl: sim.authorizeUrl },
    sessionTtlMs: 60 * 60 * 1000,
    cookieSecure: false,
    webOrigins: ['http://app.townes.test'],
    runnerToken: RUNNER_TOKEN,
    rateLimit: { max: 10_000, windowMs: 60_000 },
    ...overrides,
  };
  const deps: ApiDeps = {
    orm,
    redis,
    redisPrefix,
    discord: new DiscordClient({ apiBase: sim.apiBase, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, botToken: sim.botToken, botPermissionTtlMs: options.botPermissionTtlMs ?? 0 }),
    registry,
    notifier: new GuildChangeNotifier(redis, redisPrefix),
    settings,
  };
  const level = options.logLevel ?? process.env.TOWNES_TEST_LOG ?? 'silent';
  const logger = options.logDestination ? pino({ level }, options.logDestination) : pino({ level });
  const app = await buildApiServer(deps, { logger });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const others: FastifyInstance[] = [];

  const world: ApiWorld = {
    db, orm, registryOrm, registry, publisherKey, redis, redisPrefix, sim, app, baseUrl: address, settings,
    anonymous: () => new HttpClient(address),
    async secondInstance() {
      const other = await buildApiServer(deps, { logger });
      others.push(other);
      return other.listen({ port: 0, host: '127.0.0.1' });
    },
    async login(userId) {
      const client = new HttpClient(address);
      const start = await client.get('/v1/auth/discord/login');
      if (start.status !== 302) throw new Error(`login start answered ${start.status}`);
      const location = new URL(start.headers.get('location') ?? '');
      const state = location.searchParams.get('state') ?? '';
      // what the user clicking "Authorize" on Discord's page does: Discord redirects back with a code
      const { code } = sim.oauth.authorize({ userId, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: location.searchParams.get('scope') ?? '', state });
      const done = await client.post('/v1/auth/discord/callback', { code, state });
      if (done.status !== 200) throw new Error(`login callback answered ${done.status}: ${JSON.stringify(done.body)}`);
      return client;
    },
    async close() {
      for (const other of others) await other.close();
      await app.close();
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await sim.close();
      await registryOrm.close();
      await orm.close();
      await db.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
  return world;
}
