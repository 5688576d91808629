/**
 * The registry clients' one way to make a request: fetch with a deadline, a bound on how many
 * bytes of reply are read (a hostile or broken server cannot fill the runner's memory), and a
 * non-2xx reply turned into a RegistryClientError that carries the server's ErrorReply (code,
 * message, hint, request id), or says plainly that the reply was not one.
 */
import { ErrorReply, REQUEST_ID_HEADER } from '@townesdev/plugin-contract';
import type { z } from 'zod';

export type RegistryClientErrorCode =
  /** No answer: refused, reset, DNS, TLS, or the deadline passed. */
  | 'UNREACHABLE'
  /** The reply was bigger than the client accepts. */
  | 'REPLY_TOO_LARGE'
  /** A 2xx reply that is not what the route promises. */
  | 'BAD_REPLY'
  /** Anything else is the server's ErrorReply code (NOT_FOUND, VERSION_EXISTS, UNTRUSTED_KEY...) or HTTP_<status>. */
  | (string & {});

export class RegistryClientError extends Error {
  readonly code: RegistryClientErrorCode;
  /** The HTTP status, when there was a reply. */
  readonly status: number | undefined;
  readonly hint: string | undefined;
  readonly requestId: string | undefined;
  constructor(code: RegistryClientErrorCode, message: string, details: { status?: number; hint?: string; requestId?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RegistryClientError';
    this.code = code;
    this.status = details.status;
    this.hint = details.hint;
    this.requestId = details.requestId;
  }
}

export interface RegistryFetchOptions {
  /** Give up after this long (connect, headers and body together). Default 30 s. */
  timeoutMs?: number;
  /** Read at most this many bytes of reply. Default 1 MiB. */
  maxBytes?: number;
  /** Another fetch (tests). */
  fetch?: typeof fetch;
}

export interface RegistryReply {
  status: number;
  headers: Headers;
  body: Buffer;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** How much of an error reply is read: ErrorReplies are small. */
const ERROR_MAX_BYTES = 64 * 1024;

/** `base` + `path`, keeping a base's own path (`https://host/v1/registry` + `/index`). */
export function registryUrl(base: string | URL, path: string): string {
  const url = new URL(String(base));
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url.toString();
}

/** The path of a package (and version): scoped names are encoded as one segment (`@acme%2Fgreeter`). */
export function packagePath(name: string, version?: string): string {
  return `/packages/${encodeURIComponent(name)}${version === undefined ? '' : `/versions/${encodeURIComponent(version)}`}`;
}

export async function registryFetch(url: string, init: RequestInit, options: RegistryFetchOptions = {}): Promise<RegistryReply> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const what = `${init.method ?? 'GET'} ${url}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal, redirect: 'error' });
  } catch (error) {
    throw unreachable(what, error, signal, timeoutMs);
  }
  const ok = response.status >= 200 && response.status < 300;
  let body: Buffer;
  try {
    body = await readBounded(response, ok ? (options.maxBytes ?? DEFAULT_MAX_BYTES) : ERROR_MAX_BYTES, what);
  } catch (error) {
    if (error instanceof RegistryClientError) throw error;
    throw unreachable(what, error, signal, timeoutMs);
  }
  if (!ok) throw errorFromReply(what, response, body);
  return { status: response.status, headers: response.headers, body };
}

/** Parse a 2xx JSON body with `schema`; BAD_REPLY when it does not fit. */
export function parseJsonReply<S extends z.ZodType>(reply: RegistryReply, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(reply.body.toString('utf8'));
  } catch {
    throw new RegistryClientError('BAD_REPLY', `${what}: the registry's reply is not JSON`, { status: reply.status });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RegistryClientError('BAD_REPLY', `${what}: the registry's reply is not what this route returns (${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid'})`, { status: reply.status });
  }
  return parsed.data;
}

function unreachable(what: string, error: unknown, signal: AbortSignal, timeoutMs: number): RegistryClientError {
  if (signal.aborted) return new RegistryClientError('UNREACHABLE', `${what}: no complete answer within ${timeoutMs} ms`, { cause: error });
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new RegistryClientError('UNREACHABLE', `${what}: the registry cannot be reached (${detail})`, { cause: error });
}

async function readBounded(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new RegistryClientError('REPLY_TOO_LARGE', `${what}: the reply is ${declared} bytes, more than the ${maxBytes} this client accepts`, { status: response.status });
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new RegistryClientError('REPLY_TOO_LARGE', `${what}: the reply is more than the ${maxBytes} bytes this client accepts`, { status: response.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function errorFromReply(what: string, response: Response, body: Buffer): RegistryClientError {
  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;
  let parsed: ErrorReply | undefined;
  try {
    const result = ErrorReply.safeParse(JSON.parse(body.toString('utf8')));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: a proxy's error page, say
  }
  if (parsed) {
    const { code, message, hint, requestId: id } = parsed.error;
    return new RegistryClientError(code, `${what}: ${response.status} ${code}: ${message}`, { status: response.status, ...(hint ? { hint } : {}), requestId: id });
  }
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
  return new RegistryClientError(`HTTP_${response.status}`, `${what}: ${response.status} ${response.statusText}${text ? ` (${text})` : ''}; not a registry error reply, so something else answered (a proxy, or the wrong URL)`, {
    status: response.status,
    ...(requestId ? { requestId } : {}),
  });
}
