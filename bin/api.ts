/**
 * `townes api`: the control-plane HTTP API alone (scale-out), with the registry's routes under
 * /v1/registry. Needs the Discord application's OAuth client (DISCORD_CLIENT_ID and
 * DISCORD_CLIENT_SECRET) and the bot token for permission checks.
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { openControlPlane } from './control-plane.ts';

type Print = (line: string) => void;

export async function api(config: Config, logger: Logger, print: Print, printErr: Print): Promise<number> {
  if (!config.discordClientId || !config.discordClientSecret) {
    printErr('townes api: DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET are needed for Discord login; set them from the Discord developer portal (OAuth2 page), or run `townes start` to use the built-in simulator.');
    return 78;
  }
  const plane = await openControlPlane(config, logger, {
    apiBase: config.discordApiBase,
    clientId: config.discordClientId,
    clientSecret: config.discordClientSecret,
    botToken: config.discordToken,
  });
  const url = await plane.app.listen({ host: config.apiHost, port: config.apiPort });
  print(`TownesDev API at ${url} (OpenAPI: docs/API/openapi.yaml; health: ${url}/healthz, ${url}/readyz)`);
  if (!config.discordToken) print('  DISCORD_TOKEN is unset: installs skip the check of the bot\'s own permissions in a guild.');
  if (!config.runnerToken) print('  RUNNER_TOKEN is unset: the /internal/runner routes refuse every call.');
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      print(`${signal}: stopping the API (in-flight requests finish first)`);
      void plane.close().finally(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
