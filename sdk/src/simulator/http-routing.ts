/**
 * The simulator's small HTTP router: Discord-style path templates (`/channels/:channelId/messages`)
 * matched against the versionless path, so `/api/channels/1` and `/api/v10/channels/1` reach the
 * same handler, as they do on Discord.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** Versionless path: `/channels/1/messages`. */
  route: string;
  /** As received: `/api/v10/channels/1/messages`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when there is none. */
  body: unknown;
  params: Record<string, string>;
}

export interface SimReply {
  status: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as text/html (the OAuth pages). */
  html?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: SimRequest) => SimReply | Promise<SimReply>;

interface Route {
  method: string;
  template: string;
  segments: string[];
  handler: RouteHandler;
}

export interface RouteMatch {
  handler: RouteHandler;
  /** The template, e.g. `/channels/:channelId/messages`: the rate-limit bucket's route. */
  template: string;
  params: Record<string, string>;
}

/** A handler-thrown error that becomes a Discord JSON error reply. */
export class DiscordHttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.message === 'string' ? body.message : JSON.stringify(body));
    this.name = 'DiscordHttpError';
    this.status = status;
    this.body = body;
  }
}

export class Router {
  readonly #routes: Route[] = [];

  add(method: string, template: string, handler: RouteHandler): this {
    this.#routes.push({ method: method.toUpperCase(), template, segments: template.split('/'), handler });
    return this;
  }

  /** The route for a request; `'method-not-allowed'` when only the method is wrong. */
  match(method: string, route: string): RouteMatch | 'method-not-allowed' | null {
    const segments = route.split('/');
    let pathMatched = false;
    for (const candidate of this.#routes) {
      const params = matchSegments(candidate.segments, segments);
      if (!params) continue;
      if (candidate.method !== method) {
        pathMatched = true;
        continue;
      }
      return { handler: candidate.handler, template: candidate.template, params };
    }
    return pathMatched ? 'method-not-allowed' : null;
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | null {
  if (template.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const a = actual[i] as string;
    if (t.startsWith(':')) {
      if (a === '') return null;
      params[t.slice(1)] = decodeURIComponent(a);
    } else if (t !== a) {
      return null;
    }
  }
  return params;
}

/**
 * Splits a request path into the versionless route, and says whether it is under `/api`.
 * Accepts `/api/...`, `/api/v9/...` and `/api/v10/...` as Discord does; other versions are gone.
 */
export function versionlessRoute(pathname: string): { route: string; api: boolean; version: number | null } {
  const match = /^\/api(?:\/v(\d+))?(\/.*)?$/.exec(pathname);
  if (!match) return { route: pathname, api: false, version: null };
  return { route: match[2] ?? '/', api: true, version: match[1] === undefined ? null : Number(match[1]) };
}
