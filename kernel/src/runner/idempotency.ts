import { createHash } from 'node:crypto';

/**
 * Names derived from an action's idempotency key (`event:plugin:index`, see ResultHandler). The
 * key itself cannot be used everywhere: BullMQ refuses custom job ids with `:` in them, and
 * Discord caps a message `nonce` at 25 characters. A digest of the key is stable across retries,
 * restarts and runner processes, which is all either needs.
 */
function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** The BullMQ job id of an action: the same key always maps to the same job, so it is enqueued once. */
export function jobIdFor(key: string): string {
  // a letter first: BullMQ also refuses ids that parse as integers
  return `a${digest(key).slice(0, 43)}`;
}

/** Discord's `nonce` for a message: with `enforce_nonce`, a second send with it returns the first message. */
export function nonceFor(key: string): string {
  return digest(key).slice(0, 25);
}
