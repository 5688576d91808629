/**
 * `@townesdev/sdk/simulator`: a Discord stand-in (REST, OAuth2, Gateway v10) on loopback for
 * tests and local runs. See the "Discord simulator" section of sdk/README.md.
 */
export { startDiscordSimulator, makeBotToken } from './discord-simulator.ts';
export type { DiscordSimulator, DiscordSimulatorFaults, DiscordSimulatorOptions } from './discord-simulator.ts';
export { SimulatorState, UnknownEntityError } from './simulator-state.ts';
export { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from './simulated-entities.ts';
export type { SimChannel, SimGuild, SimMember, SimMessage, SimRole, SimUser } from './simulated-entities.ts';
export { OAuthError, OAuthProvider, DISCORD_OAUTH_SCOPES } from './oauth-provider.ts';
export type { OAuthApp, OAuthProviderOptions, TokenReply } from './oauth-provider.ts';
export { RecordedRequests } from './request-log.ts';
export type { RecordedRequest, RequestFilter } from './request-log.ts';
export type { RateLimitFault, RateLimitFaultInput } from './rate-limit-faults.ts';
export type { BucketLimits } from './rate-limit-buckets.ts';
export { ALL_PERMISSIONS, basePermissions, channelPermissions, permissionNames } from './permissions.ts';
export { nextSnowflake, shardForGuild, snowflakeForShard } from './snowflake.ts';
export { InteractionRegistry } from './interaction-registry.ts';
export type { InteractionTimings, SimInteraction } from './interaction-registry.ts';
export type { SimulatorGateway } from './simulator-gateway.ts';
export type { ConnectedShard, GatewayOptions } from './gateway-server.ts';
export { GatewayLog } from './gateway-log.ts';
export type { GatewayLogEntry } from './gateway-log.ts';
export type { CommandOptions } from './gateway-events.ts';
