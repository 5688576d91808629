import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const STATE_TTL_SECONDS = 600;

/**
 * The OAuth `state` values the API handed out, in Redis for ten minutes. A callback's state must
 * be one of them (and the one in the browser's cookie); taking it deletes it, so a state works
 * once: a forged or replayed callback is refused (CSRF).
 */
export class OAuthStateStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}oauth-state:`;
  }

  async issue(): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    await this.#redis.set(this.#prefix + state, '1', 'EX', STATE_TTL_SECONDS);
    return state;
  }

  /** True once for a state this API issued in the last ten minutes. */
  async take(state: string): Promise<boolean> {
    return (await this.#redis.getdel(this.#prefix + state)) === '1';
  }
}
