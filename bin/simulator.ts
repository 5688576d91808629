/**
 * `townes simulator`: the Discord simulator on its own, with a demo guild, until SIGINT/SIGTERM,
 * so an operator or a test can point a separately started runner and API at it. It prints the
 * base URL and the environment lines that do that.
 *
 *   townes simulator [--port N] [--host H] [--heartbeat-ms N]
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';
import type { Config } from './config.ts';

export async function simulator(config: Config, logger: Logger, args: string[], print: (line: string) => void, printError: (line: string) => void): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === 'string') {
    printError(`townes simulator: ${options}\nUsage: townes simulator [--port N] [--host H] [--heartbeat-ms N]`);
    return 64; // EX_USAGE
  }
  const sim = await startDiscordSimulator({ port: options.port, host: options.host, logger, gateway: { heartbeatIntervalMs: options.heartbeatMs } });
  // The API's OAuth settings, so its "log in with Discord" works against the simulator unchanged.
  const clientId = config.discordClientId ?? sim.applicationId;
  const clientSecret = config.discordClientSecret ?? randomBytes(16).toString('hex');
  sim.oauth.registerApp({ clientId, clientSecret, redirectUris: [config.oauthRedirectUri] });
  const demo = seedDemo(sim);

  print('Discord simulator (REST, OAuth2 and Gateway v10 on loopback)');
  print(`  Base URL:      ${sim.baseUrl}`);
  print(`  REST API:      ${sim.apiBase}`);
  print(`  Gateway:       ${sim.gatewayUrl}`);
  print(`  OAuth consent: ${sim.authorizeUrl} (pick a simulated user there)`);
  print(`  Bot:           ${sim.botUser.username} (${sim.botUser.id})`);
  print(`  Demo guild:    ${demo}`);
  print('Point a runner and the API at it with:');
  print(`  DISCORD_API_BASE=${sim.apiBase} DISCORD_TOKEN=${sim.botToken} DISCORD_CLIENT_ID=${clientId} DISCORD_CLIENT_SECRET=${clientSecret}`);
  print('Stop with Ctrl+C (SIGINT) or SIGTERM.');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await sim.close();
  print(`Stopped (${signal}).`);
  return 0;
}

function parseArgs(args: string[]): { port: number; host: string; heartbeatMs: number } | string {
  const options = { port: 0, host: '127.0.0.1', heartbeatMs: 41_250 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) return `${flag} needs a value`;
    if (flag === '--host') options.host = value;
    else if (flag === '--port' || flag === '--heartbeat-ms') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > (flag === '--port' ? 65_535 : 3_600_000)) return `${flag} ${value}: expected a whole number`;
      if (flag === '--port') options.port = n;
      else options.heartbeatMs = Math.max(n, 100);
    } else return `unknown option ${flag}`;
  }
  return options;
}

/** A guild to play in: an owner, two members, #general and #welcome, and a "Regular" role. */
function seedDemo(sim: DiscordSimulator): string {
  const owner = sim.state.addUser({ username: 'alice', globalName: 'Alice' });
  const bob = sim.state.addUser({ username: 'bob', globalName: 'Bob' });
  const carol = sim.state.addUser({ username: 'carol', globalName: 'Carol' });
  const guild = sim.state.addGuild({ name: 'Demo Server', ownerId: owner.id });
  const welcome = sim.state.addChannel(guild.id, { name: 'welcome' });
  const regular = sim.state.addRole(guild.id, { name: 'Regular', permissions: 0n });
  sim.state.addMember(guild.id, bob.id, { roles: [regular.id] });
  sim.state.addMember(guild.id, carol.id);
  return `"${guild.name}" (${guild.id}); #welcome ${welcome.id}; users alice ${owner.id} (owner), bob ${bob.id}, carol ${carol.id}`;
}
