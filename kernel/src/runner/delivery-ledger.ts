import type { Redis } from 'ioredis';
import { jobIdFor } from './idempotency.ts';

/** How long a delivered key is remembered: longer than any retry or restart takes. */
export const DELIVERED_TTL_SECONDS = 24 * 3600;

/**
 * Which actions were delivered to Discord, by idempotency key, in Redis with a TTL. The queue
 * worker checks it before acting and writes it after Discord accepted: a job that is run again
 * (a stalled job after a crash, a duplicate enqueue after its job was removed) is skipped.
 *
 * A crash between Discord accepting and the write here leaves a window; messages close it with
 * Discord's nonce (`enforce_nonce`), and role changes are idempotent on Discord's side.
 */
export class DeliveryLedger {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(redis: Redis, prefix: string, ttlSeconds = DELIVERED_TTL_SECONDS) {
    this.#redis = redis;
    this.#prefix = `${prefix}delivered:`;
    this.#ttl = ttlSeconds;
  }

  async delivered(key: string): Promise<boolean> {
    return (await this.#redis.exists(this.#prefix + jobIdFor(key))) === 1;
  }

  async record(key: string): Promise<void> {
    await this.#redis.set(this.#prefix + jobIdFor(key), '1', 'EX', this.#ttl);
  }
}
