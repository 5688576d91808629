import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ's connection options for a `redis://` or `rediss://` URL: BullMQ then opens (and closes)
 * its own connections. `maxRetriesPerRequest: null` is what BullMQ's workers require: a command
 * waits for Redis to come back instead of failing.
 */
export function bullConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}
