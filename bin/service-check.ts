/**
 * Before a role starts: are PostgreSQL and Redis there? A newcomer whose database is not running
 * should read which service, at which address, and what to do, not a driver's stack trace.
 */
import { Redis } from 'ioredis';
import { ensureDatabase } from '@townesdev/kernel/postgres';

export class ServiceUnavailableError extends Error {
  constructor(service: string, where: string, cause: unknown, fix: string) {
    super(`${service} is not reachable at ${where} (${describe(cause)}). ${fix}`, { cause });
    this.name = 'ServiceUnavailableError';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors[0]) return describe(error.errors[0]);
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.message ? `: ${e.message}` : ''}` : String(e.message ?? error);
}

/** host:port of a URL, never its password. */
const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}${u.pathname.length > 1 ? u.pathname : ''}`;
};

export async function checkPostgres(url: string): Promise<void> {
  try {
    await ensureDatabase(url);
  } catch (error) {
    throw new ServiceUnavailableError('PostgreSQL', where(url), error, 'Start PostgreSQL (README "Requirements"), or set DATABASE_URL to one that runs.');
  }
}

export async function checkRedis(url: string): Promise<void> {
  // no retries: this only asks whether Redis is there now
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 3000 });
  let socketError: unknown;
  probe.on('error', (error: unknown) => (socketError ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    // the socket's own error (ECONNREFUSED ...) says more than the client's "Connection is closed"
    throw new ServiceUnavailableError('Redis', where(url), socketError ?? error, 'Start Redis (README "Requirements"), or set REDIS_URL to one that runs.');
  } finally {
    probe.disconnect();
  }
}
