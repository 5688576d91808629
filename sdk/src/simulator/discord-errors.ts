/**
 * Discord's JSON error bodies (`{ message, code }`, see "Opcodes and Status Codes → JSON Error
 * Codes"), so clients and the runner's error handling see exactly what Discord would send.
 */
import { DiscordHttpError } from './http-routing.ts';
import { UnknownEntityError } from './simulator-state.ts';

export const unauthorized = (): DiscordHttpError => new DiscordHttpError(401, { message: '401: Unauthorized', code: 0 });
export const notFound = (): DiscordHttpError => new DiscordHttpError(404, { message: '404: Not Found', code: 0 });
export const methodNotAllowed = (): DiscordHttpError => new DiscordHttpError(405, { message: '405: Method Not Allowed', code: 0 });
export const missingAccess = (): DiscordHttpError => new DiscordHttpError(403, { message: 'Missing Access', code: 50001 });
export const missingPermissions = (): DiscordHttpError => new DiscordHttpError(403, { message: 'Missing Permissions', code: 50013 });
export const unknownInteraction = (): DiscordHttpError => new DiscordHttpError(404, { message: 'Unknown interaction', code: 10062 });
export const unknownWebhook = (): DiscordHttpError => new DiscordHttpError(404, { message: 'Unknown Webhook', code: 10015 });
export const unknownMessage = (): DiscordHttpError => new DiscordHttpError(404, { message: 'Unknown Message', code: 10008 });
export const unknownApplication = (): DiscordHttpError => new DiscordHttpError(404, { message: 'Unknown Application', code: 10002 });
export const alreadyAcknowledged = (): DiscordHttpError =>
  new DiscordHttpError(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
export const emptyMessage = (): DiscordHttpError => new DiscordHttpError(400, { message: 'Cannot send an empty message', code: 50006 });
export const cannotDmUser = (): DiscordHttpError => new DiscordHttpError(403, { message: 'Cannot send messages to this user', code: 50007 });

/**
 * 400 Invalid Form Body with Discord's nested `errors` object for one bad field; `field` is a
 * dotted path (`0.name` becomes `{ "0": { "name": { "_errors": [...] } } }`, `_root` the body).
 */
export function invalidFormBody(field: string, code: string, message: string): DiscordHttpError {
  let errors: Record<string, unknown> = { _errors: [{ code, message }] };
  if (field !== '_root') for (const key of field.split('.').reverse()) errors = { [key]: errors };
  return new DiscordHttpError(400, { message: 'Invalid Form Body', code: 50035, errors });
}

const UNKNOWN_ENTITY: Record<UnknownEntityError['entity'], { message: string; code: number }> = {
  user: { message: 'Unknown User', code: 10013 },
  guild: { message: 'Unknown Guild', code: 10004 },
  channel: { message: 'Unknown Channel', code: 10003 },
  role: { message: 'Unknown Role', code: 10011 },
  member: { message: 'Unknown Member', code: 10007 },
};

/** The error reply for anything a handler threw: Discord errors as they are, unknown ids as 404s. */
export function toDiscordHttpError(error: unknown): DiscordHttpError | null {
  if (error instanceof DiscordHttpError) return error;
  if (error instanceof UnknownEntityError) return new DiscordHttpError(404, { ...UNKNOWN_ENTITY[error.entity] });
  return null;
}
