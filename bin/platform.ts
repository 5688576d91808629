/**
 * The whole platform in one process (`townes start`): the control-plane API with the registry
 * under /v1/registry, the built-in plugins published to it through the supply chain, and the
 * runner (kernel, sandbox hosts, action queue worker, discord.js shards) reading its desired
 * state from that API and its plugins from that registry, all over their real HTTP and Redis
 * interfaces. Without a DISCORD_TOKEN, Discord is the built-in simulator.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { parseTrustStore } from '@townesdev/registry';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';
import { publishBuiltinPlugins, type BuiltinPublishResult } from './builtin-plugins.ts';
import type { Config } from './config.ts';
import { openControlPlane, type ControlPlane } from './control-plane.ts';
import { openRunner, type OpenedRunner } from './runner.ts';

export interface PlatformOptions {
  /** Override API_PORT (tests: 0 picks a free port). */
  apiPort?: number;
  /** Runner health server; null: none. Default RUNNER_HEALTH_PORT. */
  runnerHealth?: { port: number } | null;
  /** How often the runner reports usage to the API (tests: short). */
  usageEveryMs?: number;
  /** Called once the API and registry are up, before the runner starts: seed tenants and installs. */
  beforeRunner?(platform: { apiUrl: string; sim: DiscordSimulator | null }): Promise<void>;
}

export interface Platform {
  apiUrl: string;
  /** The simulator, when there is no DISCORD_TOKEN. */
  sim: DiscordSimulator | null;
  plane: ControlPlane;
  runner: OpenedRunner;
  builtins: BuiltinPublishResult;
  stop(): Promise<void>;
}

export async function startPlatform(config: Config, logger: Logger, options: PlatformOptions = {}): Promise<Platform> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: unknown) => logger.warn({ err: error }, 'stopping the platform'));
    stops.length = 0;
  };
  try {
    let sim: DiscordSimulator | null = null;
    let discord: { apiBase: string; token: string; clientId: string; clientSecret: string };
    if (config.discordToken) {
      if (!config.discordClientId || !config.discordClientSecret) throw new Error('with a DISCORD_TOKEN, set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET too (the Discord developer portal, OAuth2 page)');
      discord = { apiBase: config.discordApiBase, token: config.discordToken, clientId: config.discordClientId, clientSecret: config.discordClientSecret };
    } else {
      const simulator = await startDiscordSimulator({ logger: logger.child({ component: 'simulator' }) });
      sim = simulator;
      stops.push(() => simulator.close());
      const clientSecret = randomBytes(16).toString('hex');
      sim.oauth.registerApp({ clientId: sim.applicationId, clientSecret, redirectUris: [config.oauthRedirectUri] });
      discord = { apiBase: sim.apiBase, token: sim.botToken, clientId: sim.applicationId, clientSecret };
    }
    // one process: the runner's credential is this process's own secret unless the operator set one
    const runnerToken = config.runnerToken ?? randomBytes(32).toString('hex');
    const effective: Config = { ...config, runnerToken };

    const plane = await openControlPlane(effective, logger.child({ part: 'api' }), { apiBase: discord.apiBase, clientId: discord.clientId, clientSecret: discord.clientSecret, botToken: discord.token });
    stops.push(() => plane.close());
    const apiUrl = await plane.app.listen({ host: config.apiHost, port: options.apiPort ?? config.apiPort });
    const builtins = await publishBuiltinPlugins({ target: { service: plane.registry.service }, dataDir: config.registryDataDir });
    await options.beforeRunner?.({ apiUrl, sim });

    const runner = await openRunner(effective, logger.child({ part: 'runner' }), {
      discord: { token: discord.token, apiBase: discord.apiBase },
      apiUrl,
      runnerToken,
      registry: { url: `${apiUrl}/v1/registry`, trust: parseTrustStore({ version: 1, ...builtins.trust }), cacheDir: resolve(config.runnerCacheDir) },
      ...(options.runnerHealth === undefined ? {} : { health: options.runnerHealth }),
      ...(options.usageEveryMs ? { usageEveryMs: options.usageEveryMs } : {}),
    });
    stops.push(() => runner.stop());
    return { apiUrl, sim, plane, runner, builtins, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
