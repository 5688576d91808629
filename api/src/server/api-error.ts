/**
 * An error a route throws on purpose: it becomes the one error reply
 * `{ error: { code, message, hint?, requestId } }` with this status. Anything else a route throws
 * is a bug and answers 500 (see error-handler.ts).
 */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(statusCode: number, code: string, message: string, hint?: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.hint = hint;
  }
}

/**
 * 404 for what does not exist and for what belongs to someone else alike: a cross-tenant probe
 * learns nothing about other tenants' guilds.
 */
export const notFound = (what: string, hint?: string) => new ApiError(404, 'NOT_FOUND', `${what} was not found`, hint);

export const forbidden = (code: string, message: string, hint?: string) => new ApiError(403, code, message, hint);
