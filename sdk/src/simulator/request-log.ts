/**
 * What "Discord" saw: every REST and OAuth request the simulator answered, in order, so tests
 * assert on what was sent rather than on what the sender believes it sent. Secrets (bot and
 * bearer tokens, client secrets) are masked before they are stored.
 */
export interface RecordedRequest {
  method: string;
  /** The path as received, e.g. `/api/v10/channels/1/messages`. */
  path: string;
  /** The path without `/api` and the version, e.g. `/channels/1/messages`. */
  route: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON or form body (secrets masked), or the raw text, or undefined when empty. */
  body: unknown;
  status: number;
  /** The JSON reply body, if any. */
  reply: unknown;
  /** Epoch milliseconds when the request arrived. */
  at: number;
}

export interface RequestFilter {
  method?: string;
  /** A string matches `route` or `path` exactly; a RegExp is tested against `route`. */
  path?: string | RegExp;
  status?: number;
}

const SECRET_BODY_FIELDS = new Set(['client_secret', 'token', 'refresh_token', 'access_token', 'code_verifier']);

/** Masks a credential but keeps its scheme, so tests can still see "Bot" vs "Bearer" vs "Basic". */
export function maskAuthorization(value: string): string {
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} [masked]` : '[masked]';
}

export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = name === 'authorization' ? maskAuthorization(text) : name === 'cookie' ? '[masked]' : text;
  }
  return out;
}

export function maskBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[key] = SECRET_BODY_FIELDS.has(key) ? '[masked]' : value;
  return out;
}

export function matchesRequest(request: RecordedRequest, filter: RequestFilter): boolean {
  if (filter.method !== undefined && request.method !== filter.method.toUpperCase()) return false;
  if (filter.status !== undefined && request.status !== filter.status) return false;
  if (filter.path === undefined) return true;
  if (typeof filter.path === 'string') return request.route === filter.path || request.path === filter.path;
  return filter.path.test(request.route);
}

/**
 * The log itself: an array (index it, `.length`, `.at(-1)`) with filters on top. Array methods
 * such as `filter` return plain arrays.
 */
export class RecordedRequests extends Array<RecordedRequest> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  #waiters = new Set<{ filter: RequestFilter; resolve: (r: RecordedRequest) => void }>();
  /** The most requests kept (the oldest go first), so a long benchmark does not grow it without end. */
  limit = 100_000;

  /** Appends a request and wakes whoever waits for one like it. */
  record(request: RecordedRequest): void {
    this.push(request);
    if (this.length > this.limit + Math.ceil(this.limit / 4)) this.splice(0, this.length - this.limit);
    for (const waiter of this.#waiters) {
      if (matchesRequest(request, waiter.filter)) {
        this.#waiters.delete(waiter);
        waiter.resolve(request);
      }
    }
  }

  matching(filter: RequestFilter): RecordedRequest[] {
    return this.filter((r) => matchesRequest(r, filter));
  }

  /** The first recorded request matching the filter, or the next one to arrive (bounded wait). */
  async waitFor(filter: RequestFilter, timeoutMs = 5000): Promise<RecordedRequest> {
    const seen = this.find((r) => matchesRequest(r, filter));
    if (seen) return seen;
    return new Promise((resolve, reject) => {
      const waiter = {
        filter,
        resolve: (r: RecordedRequest) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no request matching ${describeFilter(filter)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  clear(): void {
    this.length = 0;
  }
}

function describeFilter(filter: RequestFilter): string {
  return `${filter.method ?? '*'} ${filter.path?.toString() ?? '*'}${filter.status === undefined ? '' : ` (${filter.status})`}`;
}
