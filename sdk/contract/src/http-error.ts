/**
 * The one error shape every TownesDev HTTP service answers with (the API, the registry, the
 * runner's health routes): `{ error: { code, message, hint?, requestId } }`. It lives in the
 * contract because it is a wire contract shared by servers and their clients (the web app's
 * typed client, the author's CLI publishing to a registry), not an implementation detail of one.
 */
import { z } from 'zod';

export const ErrorBody = z
  .object({
    /** Stable, machine-readable, UPPER_SNAKE (e.g. `VALIDATION_FAILED`, `NOT_FOUND`). */
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    /** What went wrong, for a person. */
    message: z.string(),
    /** How to fix it, when there is something to do. */
    hint: z.string().optional(),
    /** The request's id, also in the `x-request-id` reply header and in every log line. */
    requestId: z.string(),
  })
  .meta({ id: 'ErrorBody' });

export const ErrorReply = z.object({ error: ErrorBody }).meta({ id: 'ErrorReply' });
export type ErrorReply = z.infer<typeof ErrorReply>;

/** The reply header that carries the request id. */
export const REQUEST_ID_HEADER = 'x-request-id';
