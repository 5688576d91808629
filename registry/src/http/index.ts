/**
 * The registry's HTTP side (`@townesdev/registry/http`): the routes as a Fastify plugin for the
 * API server to mount, and a server that runs them alone. A separate entry so that runners and
 * the SDK, which only fetch and verify, never load Fastify.
 */
export { maxTarballBytes, registryRoutes, sendRegistryError } from './registry-routes.ts';
export type { RegistryRoutesOptions } from './registry-routes.ts';
export { createRegistryServer, registryRequestId } from './registry-server.ts';
export type { RegistryServerOptions } from './registry-server.ts';
export { mapError, RegistryHttpError } from './http-errors.ts';
export type { MappedError } from './http-errors.ts';
export { IndexCache, DEFAULT_INDEX_REFRESH_AFTER_MS, DEFAULT_INDEX_VALID_FOR_MS } from './index-cache.ts';
export type { IndexCacheOptions } from './index-cache.ts';
export type { TokenAuthenticator } from './publisher-auth.ts';
export * from './schemas.ts';
