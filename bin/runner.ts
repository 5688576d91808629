/**
 * `townes runner`: the Discord runner alone (scale-out). It reads its guilds' desired state from
 * the API (API_URL, RUNNER_TOKEN), downloads and verifies plugins from the registry (REGISTRY_URL,
 * RUNNER_TRUST_STORE, cached in RUNNER_CACHE_DIR), keeps plugin data in DATABASE_URL, queues
 * actions in REDIS_URL, and connects to Discord (DISCORD_TOKEN at DISCORD_API_BASE) with every
 * shard, or the group RUNNER_SHARDS names. Health and metrics on 127.0.0.1:RUNNER_HEALTH_PORT.
 * SIGTERM/SIGINT drain and stop it cleanly (docs/OPERATIONS.md, "Runner").
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { Runner } from '@townesdev/kernel/runner';
import { HttpRegistrySource, loadTrustStore, PluginCache, PluginSync, type TrustStore } from '@townesdev/registry';
import type { Config } from './config.ts';
import { openKernelServices } from './kernel-services.ts';
import { RunnerApiClient, redisChangeFeed } from './runner-control-plane.ts';

type Print = (line: string) => void;

/** How long SIGTERM waits for in-flight work before closing anyway. */
export const DRAIN_DEADLINE_MS = 10_000;

export interface RunnerWiring {
  discord: { token: string; apiBase: string };
  apiUrl: string;
  runnerToken: string;
  registry: { url: string; trust: TrustStore; cacheDir: string };
  /** Default: RUNNER_HEALTH_PORT on 127.0.0.1; null: no health server. */
  health?: { port: number; host?: string } | null;
  /** How often usage counts go to the API (default 60 s). */
  usageEveryMs?: number;
}

export interface OpenedRunner {
  runner: Runner;
  /** Drain and close the runner, then its database connection. */
  stop(deadlineMs?: number): Promise<void>;
}

/** A runner from the configuration and its wiring (`townes runner`, and `townes start` with the simulator). */
export async function openRunner(config: Config, logger: Logger, wiring: RunnerWiring): Promise<OpenedRunner> {
  const services = await openKernelServices(config.databaseUrl, logger, false);
  try {
    const api = new RunnerApiClient({ apiUrl: wiring.apiUrl, token: wiring.runnerToken, logger });
    const sync = new PluginSync({ source: new HttpRegistrySource({ url: wiring.registry.url }), cache: new PluginCache(wiring.registry.cacheDir), trust: wiring.registry.trust });
    // the API publishes its change notices under the same prefix (bin/control-plane.ts)
    const prefix = config.redisPrefix;
    const runner = await Runner.start({
      discord: { ...wiring.discord, ...(config.runnerShards ? { shards: config.runnerShards.ids, shardCount: config.runnerShards.count } : {}) },
      redisUrl: config.redisUrl,
      redisPrefix: prefix,
      kernel: { store: services.store, quarantine: services.quarantine, incidents: services.incidents, bundles: sync, sandboxHosts: config.sandboxHosts },
      desiredState: api,
      changes: redisChangeFeed(config.redisUrl, prefix),
      prefetch: async (refs) => {
        for (const r of await sync.prefetch(refs)) if (!r.ok) logger.warn({ plugin: r.name, version: r.version, err: r.error }, 'a plugin could not be fetched and verified');
      },
      incidents: api,
      usage: { sink: { report: (counts) => api.reportUsage(counts) }, ...(wiring.usageEveryMs ? { everyMs: wiring.usageEveryMs } : {}) },
      logger,
      ...(wiring.health === null ? {} : { health: wiring.health ?? { port: config.runnerHealthPort } }),
    });
    return {
      runner,
      async stop(deadlineMs = DRAIN_DEADLINE_MS) {
        await runner.stop(deadlineMs);
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

export async function runner(config: Config, logger: Logger, print: Print, printErr: Print): Promise<number> {
  if (!config.discordToken) {
    printErr('townes runner: DISCORD_TOKEN is needed (the bot token from the Discord developer portal). To run against the simulator, start `townes simulator` and use the DISCORD_TOKEN and DISCORD_API_BASE it prints, or run `townes start`.');
    return 78;
  }
  if (!config.runnerToken) {
    printErr('townes runner: RUNNER_TOKEN is needed: the same secret the API has (openssl rand -hex 32).');
    return 78;
  }
  const cacheDir = resolve(config.runnerCacheDir);
  const trustPath = resolve(config.runnerTrustStore ?? join(cacheDir, 'trust.json'));
  if (!existsSync(trustPath)) {
    printErr(`townes runner: no trust store at ${trustPath}. Write one listing the registry key (\`townes registry key\` prints its entry) and the publisher keys you accept (registry/SIGNING.md), or set RUNNER_TRUST_STORE.`);
    return 78;
  }
  const opened = await openRunner(config, logger, {
    discord: { token: config.discordToken, apiBase: config.discordApiBase },
    apiUrl: config.apiUrl,
    runnerToken: config.runnerToken,
    registry: { url: config.registryUrl, trust: await loadTrustStore(trustPath), cacheDir },
  });
  const shards = opened.runner.gateway.shardStatus().map((s) => s.id);
  print(`TownesDev runner: ${opened.runner.desired.guilds.size} guild(s) with plugins, shard(s) ${shards.join(', ')}${config.runnerShards ? ` of ${config.runnerShards.count}` : ''}`);
  print(`  health: ${opened.runner.health?.url ?? '(off)'}/healthz, /readyz, /metrics`);
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      print(`${signal}: draining (at most ${DRAIN_DEADLINE_MS / 1000} s), then stopping`);
      void opened.stop().finally(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  print('Runner stopped cleanly.');
  return 0;
}
