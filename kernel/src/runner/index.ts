/**
 * `@townesdev/kernel/runner`: the kernel fed by Discord through discord.js, with queued actions
 * (BullMQ), command registration, desired-state sync and health/metrics. The binary fills the
 * interfaces (desired state from the API, change notices, incidents, the registry's bundles).
 */
export { Runner } from './runner.ts';
export type { RunnerOptions } from './runner.ts';
export { GatewayAdapter, intentBits } from './gateway-adapter.ts';
export type { EventTarget, GatewayAdapterOptions } from './gateway-adapter.ts';
export { ActionQueue } from './action-queue.ts';
export type { ActionQueueOptions, QueuedAction } from './action-queue.ts';
export { startActionWorker } from './action-worker.ts';
export type { ActionWorkerOptions } from './action-worker.ts';
export { DiscordActionSink } from './discord-action-sink.ts';
export { DiscordActions } from './discord-actions.ts';
export { DiscordGuildDirectory } from './discord-guild-directory.ts';
export type { GuildDirectory } from './guild-directory.ts';
export { targetProblem } from './guild-directory.ts';
export { DeliveryLedger, DELIVERED_TTL_SECONDS } from './delivery-ledger.ts';
export { jobIdFor, nonceFor } from './idempotency.ts';
export { PermissionIncidents, PERMISSION_INCIDENT_TTL_SECONDS, refusalFor } from './permission-incidents.ts';
export type { RunnerIncident, RunnerIncidentReporter } from './permission-incidents.ts';
export { CommandSync } from './command-sync.ts';
export type { CommandSyncOptions } from './command-sync.ts';
export { guildCommandsBody, toDiscordCommand } from './discord-commands.ts';
export { DesiredStateSync } from './desired-state-sync.ts';
export type { DesiredPlugin, DesiredStateSource, DesiredStateSyncOptions, GuildChangeFeed } from './desired-state-sync.ts';
export { RunnerMetrics } from './runner-metrics.ts';
export type { MetricsSnapshot, ShardStatus } from './runner-metrics.ts';
export { LatencyWindow } from './latency-window.ts';
export { startHealthServer } from './health-server.ts';
export type { HealthChecks, HealthServer } from './health-server.ts';
export { parseShardList, shardOf } from './shard-layout.ts';
export { bullConnection } from './redis-connection.ts';
export { commandPayload, memberAddPayload, memberEventId, memberRemovePayload, messagePayload } from './event-payloads.ts';
export { UsageReporter } from './usage-reporter.ts';
export type { UsageCount, UsageSink } from './usage-reporter.ts';
