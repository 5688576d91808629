import { availableParallelism } from 'node:os';

/** The most sandbox host processes a runner starts when its operator does not say. */
export const MAX_DEFAULT_SANDBOX_HOSTS = 4;

/**
 * How many sandbox host processes a runner starts when its operator does not say: one for each
 * core beside the runner's own, at least one and at most four. Under load a host keeps a core
 * busy and so does the runner (gateway, event bus, storage commits); hosts beyond the free cores
 * only take turns on them. Measured on a 2-core machine (bench:kernel path, xp): one host
 * handled as many events per second as two, with 15 to 20% less CPU per event, a lower p99
 * latency and 65 MB less memory. Past four, the runner's own thread is the limit for plugins
 * like xp, and every host costs about 55 MB before it holds a guild. `availableParallelism`
 * counts the cores this process may run on, not a container's CPU quota: set SANDBOX_HOSTS there.
 */
export function defaultSandboxHosts(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_DEFAULT_SANDBOX_HOSTS, cores - 1));
}
