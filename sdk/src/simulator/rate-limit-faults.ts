/**
 * Injected 429s: `sim.faults.rateLimit({ route, count, retryAfterMs, global })` makes the next
 * `count` matching REST requests fail with Discord's rate-limit reply, whatever the buckets say,
 * to test that clients wait and retry without losing or repeating the request.
 */
export interface RateLimitFaultInput {
  /**
   * Which requests: a RegExp tested against the versionless route (`/channels/1/messages`), or
   * a string that equals it or is a path prefix of it (`/channels/1`). Default: every REST request.
   */
  route?: RegExp | string;
  /** Only this HTTP method (default any). */
  method?: string;
  /** How many requests get a 429 (default 1). */
  count?: number;
  retryAfterMs?: number;
  /** A global limit (`x-ratelimit-global`, `global: true`) rather than a per-route one. */
  global?: boolean;
  /** `x-ratelimit-scope` (default `global` for a global fault, else `user`). */
  scope?: 'user' | 'global' | 'shared';
}

export interface RateLimitFault {
  readonly input: RateLimitFaultInput;
  /** Requests still to be refused. */
  remaining: number;
  /** Requests refused so far. */
  hits: number;
  retryAfterMs: number;
  global: boolean;
  scope: 'user' | 'global' | 'shared';
}

export class RateLimitFaults {
  readonly #faults: RateLimitFault[] = [];

  add(input: RateLimitFaultInput): RateLimitFault {
    const global = input.global ?? false;
    const fault: RateLimitFault = {
      input,
      remaining: input.count ?? 1,
      hits: 0,
      retryAfterMs: input.retryAfterMs ?? 1000,
      global,
      scope: input.scope ?? (global ? 'global' : 'user'),
    };
    this.#faults.push(fault);
    return fault;
  }

  /** The fault that refuses this request, if any (and counts it). */
  take(method: string, route: string): RateLimitFault | null {
    const fault = this.#faults.find((f) => f.remaining > 0 && faultMatches(f.input, method, route));
    if (!fault) return null;
    fault.remaining -= 1;
    fault.hits += 1;
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
  }
}

function faultMatches(input: RateLimitFaultInput, method: string, route: string): boolean {
  if (input.method !== undefined && input.method.toUpperCase() !== method) return false;
  if (input.route === undefined) return true;
  if (typeof input.route === 'string') return route === input.route || route.startsWith(`${input.route.replace(/\/$/, '')}/`);
  return input.route.test(route);
}
