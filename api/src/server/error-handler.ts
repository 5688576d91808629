import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { REQUEST_ID_HEADER, type ErrorReply } from '@townesdev/plugin-contract';
import { ApiError } from './api-error.ts';

interface Described {
  status: number;
  code: string;
  message: string;
  hint?: string | undefined;
}

/** Fastify's own client-error codes, named the way our replies name things. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_BODY',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/**
 * PostgreSQL's "data exception" class (SQLSTATE 22...): a value the schema let through that the
 * database cannot store, such as a NUL character in text or the year 0. The caller's input, so 400.
 */
function isDataException(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  return false;
}

function describe(error: FastifyError | Error): Described {
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message: error.message, hint: error.hint };
  if (isDataException(error)) {
    return { status: 400, code: 'INVALID_VALUE', message: 'a value in the request cannot be stored (such as a NUL character in text, or a date out of range)', hint: 'Remove control characters and use real dates, then retry.' };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map((v) => `${error.validationContext ?? 'request'}${v.instancePath || ''}: ${v.message ?? 'invalid'}`);
    return { status: 400, code: 'VALIDATION_FAILED', message: problems.join('; '), hint: 'Check the request against docs/API/openapi.yaml.' };
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const fastifyCode = (error as FastifyError).code;
    if (status === 429) return { status, code: 'RATE_LIMITED', message: error.message, hint: 'Wait for the time in the retry-after header, then retry.' };
    const code = (fastifyCode && FASTIFY_CODES[fastifyCode]) ?? 'BAD_REQUEST';
    return { status, code, message: error.message };
  }
  return { status: 500, code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged.', hint: 'Retry later; quote the requestId if it persists.' };
}

export function errorReply(request: FastifyRequest, d: Described): ErrorReply {
  return { error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}), requestId: String(request.id) } };
}

function send(request: FastifyRequest, reply: FastifyReply, d: Described): FastifyReply {
  // set here too: errors raised before routing never reach the onRequest hook that sets it
  return reply.code(d.status).header(REQUEST_ID_HEADER, request.id).type('application/json; charset=utf-8').send(errorReply(request, d));
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a URL that does not decode,
 * a bad content-type header) get the same shape as everything else.
 */
export function frameworkErrorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const d = describe(error);
  void send(request, reply, { ...d, code: d.code === 'BAD_REQUEST' && error.code === 'FST_ERR_BAD_URL' ? 'INVALID_URL' : d.code });
}

/**
 * Every error becomes `{ error: { code, message, hint?, requestId } }`: a 4xx for what the caller
 * can fix, a 500 only for our own faults (logged with the stack). Registered on the root, and
 * usable by encapsulated plugins that run alone.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const d = describe(error);
    if (d.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: d.code, status: d.status }, d.message);
    return send(request, reply, d);
  });
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, { status: 404, code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}`, hint: 'See docs/API/openapi.yaml for the routes.' }),
  );
}
