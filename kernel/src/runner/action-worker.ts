import { UnrecoverableError, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { DiscordAPIError } from 'discord.js';
import type { Logger } from 'pino';
import type { QueuedAction } from './action-queue.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import type { PermissionIncidents } from './permission-incidents.ts';
import type { RunnerMetrics } from './runner-metrics.ts';

/** Discord's codes for "the bot may not do this here": the guild's admin must act, retrying will not help. */
const PERMISSION_CODES = new Set([50013, 50001]);

export interface ActionWorkerOptions {
  connection: ConnectionOptions;
  name: string;
  prefix: string;
  /** Actions performed at once; discord.js's REST client still orders them per rate-limit bucket. Default 32. */
  concurrency?: number;
  /** A job whose worker died is picked up again after this (BullMQ's lock). Default 10 s. */
  lockMs?: number;
  perform(action: QueuedAction): Promise<void>;
  ledger: DeliveryLedger;
  incidents: PermissionIncidents;
  metrics: RunnerMetrics;
  logger: Logger;
}

/**
 * The consumer side of the action queue: performs each job on Discord once.
 *
 * - Before acting again (a job run a second time, after a crash or a failure) it asks the
 *   delivery ledger whether the key was delivered already; after Discord accepted, it records the key.
 * - Discord's permission refusals become one incident per guild and permission and fail the job
 *   for good; other 4xx refusals (an unknown channel, a member who left) fail it for good too.
 * - Anything else (network, 5xx) throws, and BullMQ retries with backoff. 429s never get here:
 *   discord.js's REST client waits out rate limits and retries by itself.
 * - A job held by a worker that died (kill -9) is moved back to waiting when its lock expires, and
 *   never given up for stalling (maxStalledCount is high): nothing queued is lost.
 */
export function startActionWorker(options: ActionWorkerOptions): Worker<QueuedAction> {
  const { ledger, incidents, metrics, logger } = options;
  const lockDuration = options.lockMs ?? 10_000;
  const processor = async (job: Job<QueuedAction>): Promise<void> => {
    const action = job.data;
    // A first run of a job needs no look-up: its id is its key, so no other job with this key
    // can have run while it existed. Runs after a crash or a failure may follow a delivery.
    if (job.attemptsStarted > 1 && (await ledger.delivered(action.key))) {
      metrics.actions.skippedDelivered++;
      return;
    }
    if (job.attemptsMade > 0) metrics.actions.retried++;
    try {
      await options.perform(action);
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        const code = typeof error.code === 'number' ? error.code : Number(error.code);
        const log = logger.child({ guildId: action.guildId, plugin: action.plugin, action: action.action.type });
        if (PERMISSION_CODES.has(code)) {
          metrics.actions.refused++;
          await incidents.refused(action, code);
          log.info({ code }, 'Discord refused an action: missing permission');
        } else {
          metrics.actions.failedPermanently++;
          log.warn({ code, status: error.status, message: error.message }, 'Discord refused an action; not retrying');
        }
        throw new UnrecoverableError(`Discord refused: ${error.message}`);
      }
      throw error;
    }
    await ledger.record(action.key);
    metrics.actionDelivered(action.guildId);
    metrics.queueLatency.add(Date.now() - job.timestamp);
  };
  const worker = new Worker<QueuedAction>(options.name, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 32,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: 1000,
    autorun: false,
  });
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof UnrecoverableError) && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      metrics.actions.failedPermanently++;
      logger.error({ guildId: job.data.guildId, plugin: job.data.plugin, err }, 'an action failed after every retry');
    }
  });
  worker.on('error', (err) => logger.error({ err }, 'action worker error'));
  return worker;
}
