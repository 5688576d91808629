import type { Redis } from 'ioredis';
import type { RegistryService } from '@townesdev/registry/service';
import type { DiscordClient } from '../auth/discord-client.ts';
import type { GuildChangeNotifier } from '../runner/guild-change-notifier.ts';
import type { ApiOrm } from '../storage/api-orm.ts';

/** Settings the binary reads from the environment and hands to the server. */
export interface ApiSettings {
  oauth: {
    clientId: string;
    /** Where Discord sends the browser back with `code` and `state` (the web app's callback page). */
    redirectUri: string;
    /** Discord's authorize page (`https://discord.com/oauth2/authorize`, or the simulator's). */
    authorizeUrl: string;
  };
  /** How long a login lasts. */
  sessionTtlMs: number;
  /** Mark cookies `Secure` (on everywhere but plain-http local development). */
  cookieSecure: boolean;
  /** Browser origins allowed to call the API with credentials (the web app). */
  webOrigins: string[];
  /** The shared secret runners present; absent: the runner routes refuse every call. */
  runnerToken: string | undefined;
  /** Requests per window per session (or per IP when logged out). */
  rateLimit: { max: number; windowMs: number };
}

/** Everything the routes use: explicit, so a route's dependencies are visible and a test can build them. */
export interface ApiDeps {
  orm: ApiOrm;
  redis: Redis;
  /** Prefix of every Redis key and channel the API uses (a test run uses its own). */
  redisPrefix: string;
  discord: DiscordClient;
  registry: RegistryService;
  notifier: GuildChangeNotifier;
  settings: ApiSettings;
}
