import { Queue } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';
import type { ActionEnvelope } from '../actions/action-sink.ts';
import { jobIdFor } from './idempotency.ts';

/** What a queued job carries: the envelope as the kernel staged it. */
export type QueuedAction = ActionEnvelope;

export interface ActionQueueOptions {
  connection: ConnectionOptions;
  /** The queue's name (no `:`); one per deployment, shared by its runner processes. */
  name: string;
  /** BullMQ's key prefix: the deployment's Redis prefix, so deployments and tests do not mix. */
  prefix: string;
  /** Jobs waiting or running above which `enqueue` waits (backpressure). Default 5,000. */
  highWater?: number;
  /** `enqueue` resumes once the queue is back under this. Default half of highWater. */
  lowWater?: number;
  /** Attempts per action for transient failures (network, 5xx). Default 8. */
  attempts?: number;
}

/**
 * Retries with exponential backoff (1 s, 2 s, 4 s …). Completed jobs are kept for an hour so that
 * the same idempotency key enqueued again meanwhile finds its job and is not added twice; the
 * worker's delivery ledger covers longer.
 */
function jobOptions(attempts: number): JobsOptions {
  return { attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600, count: 100_000 }, removeOnFail: { age: 7 * 24 * 3600 } };
}

/**
 * The producer side of the queue of non-critical Discord actions (welcome messages, level-up
 * announcements, role rewards). Each action is a job whose id derives from its idempotency key,
 * so a retried event does not enqueue it twice. When the queue is deeper than `highWater`,
 * `enqueue` waits for it to drain: the kernel's result handling (and so event intake per guild)
 * slows down instead of the queue growing without bound in Redis.
 */
export class ActionQueue {
  readonly queue: Queue<QueuedAction>;
  readonly #highWater: number;
  readonly #lowWater: number;
  readonly #options: JobsOptions;
  #depth = 0;
  #depthAt = 0;
  #closed = false;

  constructor(options: ActionQueueOptions) {
    this.queue = new Queue<QueuedAction>(options.name, { connection: options.connection, prefix: options.prefix });
    this.#highWater = options.highWater ?? 5000;
    this.#lowWater = options.lowWater ?? Math.floor(this.#highWater / 2);
    this.#options = jobOptions(options.attempts ?? 8);
  }

  /**
   * Add the actions in one round trip. An id already in the queue (waiting, running or completed
   * within the hour) is left as it is: BullMQ ignores the second add. Waits while the queue is too deep.
   */
  async enqueue(actions: readonly QueuedAction[]): Promise<void> {
    if (actions.length === 0) return;
    await this.#belowHighWater();
    await this.queue.addBulk(actions.map((a) => ({ name: a.action.type, data: a, opts: { ...this.#options, jobId: jobIdFor(a.key) } })));
    this.#depth += actions.length;
  }

  /** Waiting, delayed and running jobs (cached for 100 ms: enqueue asks on every batch). */
  async depth(): Promise<number> {
    if (Date.now() - this.#depthAt > 100) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      this.#depth = Object.values(counts).reduce((a, b) => a + b, 0);
      this.#depthAt = Date.now();
    }
    return this.#depth;
  }

  /** The last depth seen, without asking Redis (for metrics). */
  get lastDepth(): number {
    return this.#depth;
  }

  async #belowHighWater(): Promise<void> {
    if ((await this.depth()) < this.#highWater) return;
    while (!this.#closed && (await this.depth()) > this.#lowWater) await new Promise((r) => setTimeout(r, 50));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.queue.close();
  }
}
