/**
 * Opens the control plane from the configuration: the API's database (created and migrated),
 * Redis, the registry (mounted under /v1/registry), the Discord client, and the Fastify server,
 * not yet listening. Used by `townes api` and `townes start`.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DiscordClient, GuildChangeNotifier, buildApiServer, createApiOrm, migrateApi, type ApiOrm } from '@townesdev/api';
import { ensureDatabase } from '@townesdev/kernel/postgres';
import type { Config } from './config.ts';
import { openRegistry, type OpenedRegistry } from './registry.ts';

/** Where the API reaches Discord and who it is there: from the configuration, or the simulator's. */
export interface DiscordAccess {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  botToken: string | undefined;
}

export interface ControlPlane {
  app: FastifyInstance;
  orm: ApiOrm;
  redis: Redis;
  registry: OpenedRegistry;
  close(): Promise<void>;
}

/** Discord's consent page is beside its API: https://discord.com/api → https://discord.com/oauth2/authorize. */
export const authorizeUrlFor = (apiBase: string) => `${apiBase.replace(/\/api\/?$/, '')}/oauth2/authorize`;

export async function openControlPlane(config: Config, logger: Logger, discord: DiscordAccess): Promise<ControlPlane> {
  const { redisPrefix } = config;
  await ensureDatabase(config.databaseUrl);
  const orm = await createApiOrm(config.databaseUrl, { logMigrations: false });
  const closers: Array<() => Promise<unknown>> = [() => orm.close(true)];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((error: unknown) => logger.warn({ err: error }, 'closing the control plane'));
  };
  try {
    const applied = await migrateApi(orm);
    if (applied.length > 0) logger.info({ applied }, 'API migrations applied');
    const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    // ioredis reconnects by itself; without a listener a dropped connection would crash the process
    redis.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection problem (reconnecting)'));
    await redis.connect();
    closers.push(async () => redis.disconnect());
    const registry = await openRegistry(config, logger);
    closers.push(() => registry.close());
    const app = await buildApiServer(
      {
        orm,
        redis,
        redisPrefix,
        discord: new DiscordClient({ apiBase: discord.apiBase, clientId: discord.clientId, clientSecret: discord.clientSecret, botToken: discord.botToken }),
        registry: registry.service,
        notifier: new GuildChangeNotifier(redis, redisPrefix),
        settings: {
          oauth: { clientId: discord.clientId, redirectUri: config.oauthRedirectUri, authorizeUrl: authorizeUrlFor(discord.apiBase) },
          sessionTtlMs: config.sessionTtlHours * 3600_000,
          cookieSecure: config.cookieSecure,
          webOrigins: config.webOrigins,
          runnerToken: config.runnerToken,
          rateLimit: { max: config.rateLimitPerMinute, windowMs: 60_000 },
        },
      },
      { logger, registry: { service: registry.service, tokens: registry.tokens } },
    );
    closers.push(() => app.close());
    return { app, orm, redis, registry, close };
  } catch (error) {
    await close();
    throw error;
  }
}
