import type { Logger } from 'pino';
import type { ActionEnvelope, ActionSink } from '../actions/action-sink.ts';
import type { ActionQueue } from './action-queue.ts';
import type { GuildDirectory } from './guild-directory.ts';
import { targetProblem } from './guild-directory.ts';
import type { RunnerMetrics } from './runner-metrics.ts';

/**
 * The kernel's ActionSink on Discord: each action's targets are checked against its guild, then
 * the action is queued (BullMQ) for the worker to perform within Discord's rate limits. Actions
 * handed over in the same tick go to Redis in one round trip. `perform` resolves once they are in
 * Redis, so an action the kernel handed over survives a crash of this process.
 *
 * Interaction replies do not come through here: the gateway adapter sends them at once, inside
 * Discord's 3-second window.
 */
export class DiscordActionSink implements ActionSink {
  readonly #directory: GuildDirectory;
  readonly #queue: Pick<ActionQueue, 'enqueue'>;
  readonly #metrics: RunnerMetrics;
  readonly #logger: Logger;
  #batch: { actions: ActionEnvelope[]; done: Promise<void> } | null = null;

  constructor(deps: { directory: GuildDirectory; queue: Pick<ActionQueue, 'enqueue'>; metrics: RunnerMetrics; logger: Logger }) {
    this.#directory = deps.directory;
    this.#queue = deps.queue;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
  }

  async perform(actions: readonly ActionEnvelope[]): Promise<void> {
    const allowed: ActionEnvelope[] = [];
    for (const envelope of actions) {
      const problem = await targetProblem(envelope, this.#directory);
      if (problem === null) {
        allowed.push(envelope);
        continue;
      }
      this.#metrics.actions.rejected++;
      this.#logger.warn({ guildId: envelope.guildId, plugin: envelope.plugin, action: envelope.action.type, problem }, 'refused a plugin action: its target is not in its guild');
    }
    if (allowed.length > 0) await this.#add(allowed);
  }

  /** Joins the batch of this tick, or starts one flushed on the next. */
  #add(actions: ActionEnvelope[]): Promise<void> {
    if (this.#batch) {
      this.#batch.actions.push(...actions);
      return this.#batch.done;
    }
    const batch = { actions: [...actions], done: Promise.resolve() };
    batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.#batch = null;
      await this.#queue.enqueue(batch.actions);
      this.#metrics.actions.enqueued += batch.actions.length;
    });
    this.#batch = batch;
    return batch.done;
  }
}
