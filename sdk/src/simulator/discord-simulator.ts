/**
 * `startDiscordSimulator()`: Discord's REST API, OAuth2 and (see gateway-server.ts) Gateway v10
 * on one loopback port, for tests and local runs. An unmodified discord.js client connects with
 * `new Client({ intents, rest: { api: sim.apiBase } })` and `client.login(sim.botToken)`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { registerCommandRoutes } from './command-routes.ts';
import { registerGatewayInfoRoutes } from './gateway-info-routes.ts';
import type { GatewayLog } from './gateway-log.ts';
import { GatewayServer, type GatewayOptions } from './gateway-server.ts';
import { registerGuildRoutes } from './guild-routes.ts';
import { Router } from './http-routing.ts';
import { createHttpFront } from './http-server.ts';
import { InteractionRegistry, type InteractionTimings } from './interaction-registry.ts';
import { registerInteractionRoutes } from './interaction-routes.ts';
import { registerMessageRoutes } from './message-routes.ts';
import { OAuthProvider, type OAuthProviderOptions } from './oauth-provider.ts';
import { registerOAuthRoutes } from './oauth-routes.ts';
import { DEFAULT_BUCKET_LIMITS, RateLimitBuckets, type BucketLimits } from './rate-limit-buckets.ts';
import { RateLimitFaults, type RateLimitFault, type RateLimitFaultInput } from './rate-limit-faults.ts';
import { RecordedRequests } from './request-log.ts';
import type { SimulatorContext } from './simulator-context.ts';
import { createSimulatorGateway, type SimulatorGateway } from './simulator-gateway.ts';
import { SimulatorState, type SimUser } from './simulator-state.ts';
import { registerUserRoutes } from './user-routes.ts';

export interface DiscordSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  logger?: Logger;
  /** The bot user (one application per simulator; its id is also the application id). */
  bot?: { id?: string; username?: string };
  /** Default: a fresh token in Discord's format. */
  botToken?: string;
  /** Per-route bucket size and window (default 50 per second). */
  rateLimits?: BucketLimits;
  oauth?: OAuthProviderOptions;
  /** Interaction response window (Discord: 3000 ms) and token lifetime (15 minutes). */
  interactions?: Partial<InteractionTimings>;
  /** `shards` in `GET /gateway/bot` (what discord.js uses with `shards: 'auto'`). Default 1. */
  recommendedShards?: number;
  /** The most requests `sim.recorded` keeps (default 100,000; the oldest go first). */
  recordLimit?: number;
  /** Heartbeat interval, resume window, replay size, allowed privileged intents. */
  gateway?: GatewayOptions;
}

export interface DiscordSimulatorFaults {
  /** The next `count` matching REST requests get Discord's 429 reply. */
  rateLimit(input: RateLimitFaultInput): RateLimitFault;
  /** Removes pending rate-limit faults. */
  clear(): void;
  /**
   * Closes the gateway socket of a shard (every shard when omitted) with a resumable close code
   * (default 4000); discord.js reconnects and RESUMEs, and the events it missed are replayed.
   * Returns how many connections were closed.
   */
  dropConnection(shardId?: number, closeCode?: number): number;
  /** Sends INVALID_SESSION (op 9) to a shard; not resumable by default (the client re-identifies). */
  invalidateSession(shardId: number, resumable?: boolean): number;
  /** Sends RECONNECT (op 7) to a shard; the client reconnects and RESUMEs. */
  requestReconnect(shardId: number): number;
}

export interface DiscordSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:PORT/api`: what DISCORD_API_BASE and discord.js's `rest.api` are set to. */
  readonly apiBase: string;
  /** `http://127.0.0.1:PORT/oauth2/authorize`: the consent page. */
  readonly authorizeUrl: string;
  readonly botToken: string;
  readonly botUser: SimUser;
  readonly applicationId: string;
  readonly state: SimulatorState;
  readonly oauth: OAuthProvider;
  /** Every REST/OAuth request received, in order, secrets masked. */
  readonly recorded: RecordedRequests;
  readonly faults: DiscordSimulatorFaults;
  /** The interactions dispatched so far, with their tokens and responses. */
  readonly interactions: InteractionRegistry;
  /** Events in the simulated Discord, dispatched on the gateway (member joins, messages, commands). */
  readonly gateway: SimulatorGateway;
  /** What the gateway sent and received. */
  readonly gatewayLog: GatewayLog;
  /** `ws://127.0.0.1:PORT`, the `url` of `GET /gateway/bot`. */
  readonly gatewayUrl: string;
  /** Takes permission bits away from the bot in a guild (403 Missing Permissions where Discord would). */
  withholdBotPermissions(guildId: string, bits: bigint | string): void;
  close(): Promise<void>;
}

/** A bot token in Discord's shape: base64(user id).timestamp.hmac. */
export function makeBotToken(botId: string): string {
  return `${Buffer.from(botId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
}

export async function startDiscordSimulator(options: DiscordSimulatorOptions = {}): Promise<DiscordSimulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const state = new SimulatorState(options.bot);
  const oauth = new OAuthProvider(state, options.oauth);
  let baseUrl = '';
  const ctx: SimulatorContext = {
    state,
    oauth,
    botToken: options.botToken ?? makeBotToken(state.bot.id),
    applicationId: state.bot.id,
    logger,
    baseUrl: () => baseUrl,
    changes: { messageCreated: () => {}, memberUpdated: () => {} },
  };
  const router = new Router();
  registerOAuthRoutes(router, ctx);
  registerUserRoutes(router, ctx);
  const interactions = new InteractionRegistry(options.interactions);
  registerGatewayInfoRoutes(router, ctx, () => options.recommendedShards ?? 1);
  registerGuildRoutes(router, ctx);
  registerMessageRoutes(router, ctx);
  registerCommandRoutes(router, ctx);
  registerInteractionRoutes(router, ctx, interactions);
  const recorded = new RecordedRequests();
  if (options.recordLimit !== undefined) recorded.limit = options.recordLimit;
  const faults = new RateLimitFaults();
  const buckets = new RateLimitBuckets(options.rateLimits ?? DEFAULT_BUCKET_LIMITS);
  const gatewayServer = new GatewayServer(ctx, options.gateway);
  const gateway = createSimulatorGateway(ctx, gatewayServer, interactions);
  ctx.changes = gateway;
  const server = createServer(createHttpFront({ router, ctx, recorded, buckets, faults }));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => gatewayServer.handleUpgrade(request, socket, head));
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  logger.info({ baseUrl }, 'discord simulator listening');

  return {
    baseUrl,
    apiBase: `${baseUrl}/api`,
    authorizeUrl: `${baseUrl}/oauth2/authorize`,
    botToken: ctx.botToken,
    botUser: state.bot,
    applicationId: ctx.applicationId,
    state,
    oauth,
    recorded,
    faults: {
      rateLimit: (input) => faults.add(input),
      clear: () => faults.clear(),
      dropConnection: (shardId, closeCode) => gatewayServer.dropConnection(shardId, closeCode),
      invalidateSession: (shardId, resumable) => gatewayServer.invalidateSession(shardId, resumable),
      requestReconnect: (shardId) => gatewayServer.requestReconnect(shardId),
    },
    interactions,
    gateway,
    gatewayLog: gatewayServer.log,
    gatewayUrl: gatewayServer.gatewayUrl,
    withholdBotPermissions: (guildId, bits) => state.withholdBotPermissions(guildId, bits),
    close: () => {
      gatewayServer.close();
      return closeServer(server);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets of clients (fetch, discord.js) would otherwise hold close() open.
    server.closeAllConnections();
  });
}
