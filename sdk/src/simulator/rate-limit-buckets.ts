/**
 * Discord's per-route rate limits, with the headers Discord sends on every REST reply
 * (`x-ratelimit-limit/remaining/reset/reset-after/bucket`). Clients such as @discordjs/rest
 * build their queues from these headers, so they must be present and consistent. The limits are
 * enforced: a client that ignores them gets a 429 like it would from Discord.
 *
 * A bucket is shared by one route template (per method) and its major parameter (channel, guild
 * or webhook), as on Discord.
 */
import { createHash } from 'node:crypto';

export interface BucketLimits {
  /** Requests per window for each bucket (Discord varies; 50 is its common per-route size). */
  limit: number;
  windowMs: number;
}

export const DEFAULT_BUCKET_LIMITS: BucketLimits = { limit: 50, windowMs: 1000 };

interface BucketWindow {
  remaining: number;
  resetAt: number;
}

export interface BucketDecision {
  headers: Record<string, string>;
  /** Set when the bucket is empty: answer 429 with this many ms to wait. */
  retryAfterMs: number | null;
}

const MAJOR_PARAMETERS = ['channelId', 'guildId', 'webhookId', 'interactionId'];

export class RateLimitBuckets {
  readonly #windows = new Map<string, BucketWindow>();
  limits: BucketLimits;

  constructor(limits: BucketLimits = DEFAULT_BUCKET_LIMITS) {
    this.limits = limits;
  }

  /** Takes one request from the route's bucket, and the headers to send with the reply. */
  take(method: string, template: string, params: Record<string, string>, now = Date.now()): BucketDecision {
    const hash = bucketHash(method, template);
    const major = MAJOR_PARAMETERS.map((p) => params[p] ?? '').join(':');
    const key = `${hash}:${major}`;
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { remaining: this.limits.limit, resetAt: now + this.limits.windowMs };
      this.#windows.set(key, window);
    }
    const exhausted = window.remaining <= 0;
    if (!exhausted) window.remaining -= 1;
    const headers = rateLimitHeaders({ limit: this.limits.limit, remaining: window.remaining, resetAt: window.resetAt, bucket: hash, now });
    return { headers, retryAfterMs: exhausted ? window.resetAt - now : null };
  }
}

/** A stable bucket id per method and route, shaped like Discord's (32 hex digits). */
export function bucketHash(method: string, template: string): string {
  return createHash('sha256').update(`${method} ${template}`).digest('hex').slice(0, 32);
}

export function rateLimitHeaders(input: { limit: number; remaining: number; resetAt: number; bucket: string; now: number }): Record<string, string> {
  return {
    'x-ratelimit-limit': String(input.limit),
    'x-ratelimit-remaining': String(input.remaining),
    'x-ratelimit-reset': (input.resetAt / 1000).toFixed(3),
    'x-ratelimit-reset-after': (Math.max(0, input.resetAt - input.now) / 1000).toFixed(3),
    'x-ratelimit-bucket': input.bucket,
  };
}

/**
 * The 429 reply Discord sends: `retry-after` (seconds), the bucket headers with remaining 0,
 * `x-ratelimit-scope`, `x-ratelimit-global` for a global limit, and the JSON body.
 * `retry-after` keeps milliseconds (Discord rounds up to whole seconds) so short faults stay short.
 */
export function tooManyRequests(input: { retryAfterMs: number; limit: number; bucket: string; global: boolean; scope: 'user' | 'global' | 'shared'; now?: number }): {
  status: 429;
  headers: Record<string, string>;
  json: { message: string; retry_after: number; global: boolean; code?: number };
} {
  const now = input.now ?? Date.now();
  const seconds = input.retryAfterMs / 1000;
  const headers: Record<string, string> = {
    ...rateLimitHeaders({ limit: input.limit, remaining: 0, resetAt: now + input.retryAfterMs, bucket: input.bucket, now }),
    'retry-after': seconds.toFixed(3),
    'x-ratelimit-scope': input.scope,
  };
  if (input.global) headers['x-ratelimit-global'] = 'true';
  return { status: 429, headers, json: { message: 'You are being rate limited.', retry_after: seconds, global: input.global } };
}
