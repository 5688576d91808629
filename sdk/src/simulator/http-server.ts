/**
 * The simulator's HTTP front: reads and parses each request, routes it, applies injected faults
 * and the rate-limit buckets, turns thrown Discord errors into their JSON replies, adds the
 * rate-limit headers, and records the exchange in `sim.recorded`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, notFound, toDiscordHttpError } from './discord-errors.ts';
import { DiscordHttpError, versionlessRoute, type Router, type SimReply, type SimRequest } from './http-routing.ts';
import { bucketHash, tooManyRequests, type RateLimitBuckets } from './rate-limit-buckets.ts';
import type { RateLimitFaults } from './rate-limit-faults.ts';
import { maskBody, maskHeaders, type RecordedRequests } from './request-log.ts';
import type { SimulatorContext } from './simulator-context.ts';

export interface HttpFrontDeps {
  router: Router;
  ctx: SimulatorContext;
  recorded: RecordedRequests;
  buckets: RateLimitBuckets;
  faults: RateLimitFaults;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Outside `/api`, only the browser's consent page exists. */
const BROWSER_ROUTES = new Set(['/oauth2/authorize']);

export function createHttpFront(deps: HttpFrontDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      deps.ctx.logger.error({ err: error }, 'discord simulator: request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
    });
  };
}

async function handle(deps: HttpFrontDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const { route, api, version } = versionlessRoute(url.pathname);
  let raw = '';
  let body: unknown;
  let reply: SimReply;
  try {
    raw = await readBody(req);
    body = parseBody(req.headers['content-type'] ?? '', raw);
    reply = await answer(deps, { method, route, path: url.pathname, query: url.searchParams, headers: req.headers, body, params: {} }, api, version);
  } catch (error) {
    const discordError = toDiscordHttpError(error);
    if (!discordError) throw error;
    reply = { status: discordError.status, json: discordError.body };
  }
  send(res, reply);
  deps.recorded.record({
    method,
    path: url.pathname,
    route,
    query: Object.fromEntries(url.searchParams),
    headers: maskHeaders(req.headers),
    body: maskBody(body ?? (raw.length > 0 ? raw : undefined)),
    status: reply.status,
    reply: reply.json,
    at,
  });
}

async function answer(deps: HttpFrontDeps, request: SimRequest, api: boolean, version: number | null): Promise<SimReply> {
  if (!api && !BROWSER_ROUTES.has(request.route)) throw notFound();
  if (version !== null && version !== 9 && version !== 10) throw notFound();
  const match = deps.router.match(request.method, request.route);
  if (match === null) throw notFound();
  if (match === 'method-not-allowed') throw methodNotAllowed();
  request.params = match.params;
  if (!api) return match.handler(request);

  const fault = deps.faults.take(request.method, request.route);
  if (fault) {
    return tooManyRequests({
      retryAfterMs: fault.retryAfterMs,
      limit: deps.buckets.limits.limit,
      bucket: bucketHash(request.method, match.template),
      global: fault.global,
      scope: fault.scope,
    });
  }
  const bucket = deps.buckets.take(request.method, match.template, match.params);
  if (bucket.retryAfterMs !== null) {
    const bucketId = bucket.headers['x-ratelimit-bucket'] ?? '';
    return tooManyRequests({ retryAfterMs: bucket.retryAfterMs, limit: deps.buckets.limits.limit, bucket: bucketId, global: false, scope: 'user' });
  }
  let reply: SimReply;
  try {
    reply = await match.handler(request);
  } catch (error) {
    const discordError = toDiscordHttpError(error);
    if (!discordError) throw error;
    reply = { status: discordError.status, json: discordError.body };
  }
  return { ...reply, headers: { ...bucket.headers, ...reply.headers } };
}

function send(res: ServerResponse, reply: SimReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.html !== undefined) {
    headers['content-type'] = 'text/html; charset=utf-8';
    payload = reply.html;
  } else if (reply.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(reply.json);
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new DiscordHttpError(413, { message: 'Request entity too large', code: 40005 });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string, raw: string): unknown {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new DiscordHttpError(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  if (contentType.startsWith('multipart/form-data')) return parseMultipartPayloadJson(contentType, raw);
  return raw;
}

/**
 * discord.js sends multipart bodies when files are attached; the simulator keeps the
 * `payload_json` part (the message) and ignores the files themselves.
 */
function parseMultipartPayloadJson(contentType: string, raw: string): unknown {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (delimiter === undefined) throw new DiscordHttpError(400, { message: '400: Bad Request', code: 0 });
  for (const part of raw.split(`--${delimiter}`)) {
    if (!/name="payload_json"/.test(part)) continue;
    const content = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
    try {
      return JSON.parse(content) as unknown;
    } catch {
      throw new DiscordHttpError(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
  }
  return {};
}
