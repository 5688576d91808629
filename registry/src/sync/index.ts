/** Runner-side sync: pull plugins from a registry, verify them, and keep a local cache. */
export { serviceSource } from './registry-source.ts';
export type { RegistrySource, ServiceSourceOptions } from './registry-source.ts';
export { HttpRegistrySource } from './http-registry-source.ts';
export type { HttpRegistrySourceOptions } from './http-registry-source.ts';
export { cacheEntryStem, PluginCache, PluginCacheError } from './plugin-cache.ts';
export { PluginSync, PluginSyncError, PREFETCH_CONCURRENCY } from './plugin-sync.ts';
export type { PluginRef, PluginSyncErrorCode, PluginSyncOptions, PrefetchResult, SyncedBundle } from './plugin-sync.ts';
export { LAST_INDEX_FILE, PluginResolver } from './plugin-resolver.ts';
export type { PluginResolverOptions } from './plugin-resolver.ts';
