/** HTTP clients of the registry's routes (fetch only; no Fastify). */
export { DEFAULT_TIMEOUT_MS, RegistryClientError, packagePath, registryFetch, registryUrl } from './registry-fetch.ts';
export type { RegistryClientErrorCode, RegistryFetchOptions, RegistryReply } from './registry-fetch.ts';
export { fetchRegistryKey, fetchVersionMetadata, publishToRegistry, unyankOnRegistry, yankOnRegistry } from './publish-client.ts';
export type { PublishRequest, RegistryConnection } from './publish-client.ts';
