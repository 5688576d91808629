import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../server/api-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether the request carries the runner credential (`Authorization: Bearer <RUNNER_TOKEN>`).
 * Compared as sha256 digests in constant time. Licenses (their own issue) will replace the
 * shared token with a per-runner credential.
 */
export function isRunner(request: FastifyRequest, runnerToken: string | undefined): boolean {
  const header = request.headers.authorization;
  if (!runnerToken || !header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(runnerToken));
}

/** A preHandler for the runner's internal routes. */
export function runnerGuard(runnerToken: string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!isRunner(request, runnerToken)) {
      throw new ApiError(401, 'RUNNER_UNAUTHENTICATED', 'this route is for runners', runnerToken ? 'Send Authorization: Bearer <RUNNER_TOKEN>.' : 'Set RUNNER_TOKEN on the API and the runner.');
    }
  };
}
