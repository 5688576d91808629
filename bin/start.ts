import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ActionEnvelope } from '@townesdev/kernel';
import { Kernel, StaticBundleSource } from '@townesdev/kernel';
import { buildPlugin } from '@townesdev/sdk/build';
import type { Config } from './config.ts';
import { DEMO, runDemo } from './demo.ts';
import { openKernelServices } from './kernel-services.ts';

const PLUGINS_DIR = new URL('../plugins/', import.meta.url).pathname;
const BUILT_IN = ['welcome', 'xp'];

/**
 * `townes start`: everything that exists, in one process. Today that is the kernel with the
 * built-in plugins (the API, the Discord runner and the simulator arrive with their issues), so it
 * runs a scripted demo guild through the real sandbox and says so. `--once` exits after the demo.
 */
export async function start(config: Config, logger: Logger, args: string[], print: (line: string) => void): Promise<void> {
  const once = args.includes('--once');
  print('TownesDev Bot Platform');
  print(config.discordToken
    ? '  A DISCORD_TOKEN is set, but the Discord runner is not built yet: running the kernel demo only.'
    : '  No DISCORD_TOKEN: running against a simulated guild (the Discord gateway simulator and runner arrive with their issue).');
  print('  Running: the plugin kernel with the built-in plugins. Not yet: the HTTP API, workers, Discord runner.');

  const services = await openKernelServices(config.databaseUrl, logger, true);
  print(`  Plugin data: ${services.description}`);
  const bundles = new StaticBundleSource();
  for (const name of BUILT_IN) {
    const built = await buildPlugin({ dir: join(PLUGINS_DIR, name), write: false });
    bundles.add(built);
    print(`  Built ${built.manifest.name}@${built.manifest.version} (${(built.code.length / 1024).toFixed(1)} KB bundle)`);
  }
  const actionsPerformed: ActionEnvelope[] = [];
  const kernel = await Kernel.start({
    ...services,
    actions: { perform: async (a) => void actionsPerformed.push(...a) },
    bundles,
    logger,
    sandboxHosts: config.sandboxMode === 'inprocess' ? 0 : config.sandboxHosts,
  });
  print(`  Sandbox: ${config.sandboxMode === 'inprocess' ? 'in-process (development mode)' : `${config.sandboxHosts} sandbox host processes (pids ${kernel.sandboxPids.join(', ')})`}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: finishing in-flight events, then stopping.`);
    await kernel.shutdown(10_000);
    await services.close();
    print('Stopped cleanly.');
  };

  try {
    // The demo guild is made up: it starts from scratch on every run, so the story is the same.
    await services.store.purge(DEMO.guildId);
    await kernel.enable(DEMO.guildId, { plugin: '@townesdev/welcome', version: '1.0.0', config: { channelId: DEMO.welcomeChannel, autoRoleId: DEMO.memberRole }, grants: ['storage', 'discord.messages.send', 'discord.members.dm', 'discord.roles.manage'] });
    await kernel.enable(DEMO.guildId, { plugin: '@townesdev/xp', version: '1.0.0', config: { minXp: 40, maxXp: 60, cooldownSeconds: 60, roleRewards: [{ level: 1, roleId: DEMO.regularRole }] }, grants: ['storage', 'discord.messages.send', 'discord.roles.manage'] });
    print(`\n${DEMO.guildName} has welcome and xp enabled. Slash commands: ${kernel.commands(DEMO.guildId).map((c) => `/${c.name}`).join(' ')}`);
    await runDemo(kernel, print);
    print(`\n${actionsPerformed.length} Discord actions were handed to the action sink (the runner will perform them on Discord).`);
  } catch (error) {
    await stop('error');
    throw error;
  }

  if (once) {
    await stop('--once');
    return;
  }
  print('\nThe kernel keeps running with the demo guild loaded. Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal).then(resolve));
  });
}
