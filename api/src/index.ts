/**
 * The control plane (`@townesdev/api`): the Fastify server and what the binary needs to run it
 * (the ORM and its migrations, the Discord client, the change notices runners subscribe to).
 */
export { API_VERSION, buildApiServer } from './server/api-server.ts';
export type { ApiServerOptions } from './server/api-server.ts';
export type { ApiDeps, ApiSettings } from './server/api-deps.ts';
export { ApiError } from './server/api-error.ts';
export { DiscordClient } from './auth/discord-client.ts';
export type { DiscordClientOptions } from './auth/discord-client.ts';
export { SessionStore } from './auth/session-store.ts';
export { GUILD_CHANGED_CHANNEL, GuildChangeNotifier, subscribeGuildChanges } from './runner/guild-change-notifier.ts';
export { API_MIGRATIONS_TABLE, createApiOrm, migrateApi, pendingApiMigrations, rollbackApi } from './storage/api-orm.ts';
export type { ApiOrm, ApiOrmOptions } from './storage/api-orm.ts';
export * from './storage/entities/index.ts';
export { PLANS, PLAN_IDS } from './plans/plan.ts';
export type { PlanId } from './plans/plan.ts';
