import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { installDemoPlugins, runDemo, seedDemoGuild, type DemoGuild } from './demo.ts';
import { startPlatform, type PlatformOptions } from './platform.ts';

/**
 * `townes start`: the whole platform in one process: the API (with the registry), the built-in
 * plugins published to it, and the runner with its queue worker and discord.js shards. Without a
 * DISCORD_TOKEN it runs against the built-in Discord simulator, seeds a demo guild whose owner
 * installs welcome and xp through the API, and shows what happens. `--once` stops after the demo.
 */
export async function start(config: Config, logger: Logger, args: string[], print: (line: string) => void, options: PlatformOptions = {}): Promise<void> {
  const once = args.includes('--once');
  print('TownesDev Bot Platform');
  print(config.discordToken
    ? '  DISCORD_TOKEN is set: running against Discord.'
    : '  No DISCORD_TOKEN: running against the built-in Discord simulator (a real gateway and REST on loopback; set DISCORD_TOKEN to use Discord).');
  let demo: DemoGuild | null = null;
  const platform = await startPlatform(config, logger, {
    ...options,
    beforeRunner: async ({ apiUrl, sim }) => {
      print(`  API: ${apiUrl} (registry at ${apiUrl}/v1/registry; health ${apiUrl}/readyz)`);
      if (!sim) return;
      print(`  Discord simulator: ${sim.baseUrl} (OAuth consent page ${sim.authorizeUrl})`);
      demo = seedDemoGuild(sim);
      await installDemoPlugins(apiUrl, sim, demo, print);
      await options.beforeRunner?.({ apiUrl, sim });
    },
  });
  const published = platform.builtins.plugins.map((p) => `${p.name}@${p.version} (${p.status})`).join(', ');
  print(`  Built-in plugins, signed with this installation's key and published to the registry: ${published}`);
  for (const p of platform.builtins.plugins) if (p.message) print(`  ! ${p.message}`);
  const shards = platform.runner.runner.gateway.shardStatus();
  print(`  Runner: ${shards.length} shard(s) connected; plugins verified and loaded into ${config.sandboxMode === 'inprocess' ? 'the runner process (development mode)' : `${config.sandboxHosts} sandbox host process${config.sandboxHosts === 1 ? '' : 'es'}`}; actions queued on Redis (BullMQ)`);

  let stopping: Promise<void> | null = null;
  const stop = (why: string) => {
    stopping ??= (async () => {
      print(`\n${why}: draining in-flight work, then stopping.`);
      await platform.stop();
      print('Stopped cleanly.');
    })();
    return stopping;
  };
  try {
    if (platform.sim && demo) await runDemo(platform.sim, demo, print);
  } catch (error) {
    await stop('error');
    throw error;
  }
  if (once) return stop('--once');
  print(`\nThe platform keeps running: the API at ${platform.apiUrl}${platform.sim ? `, the Discord simulator at ${platform.sim.baseUrl}` : ''}. Ctrl+C stops it.`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal).then(resolve));
  });
}
