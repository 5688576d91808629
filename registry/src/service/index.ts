/**
 * The registry server's core (`@townesdev/registry/service`): the publish/download/yank/index
 * service over PostgreSQL (MikroORM) and a content-addressed blob store. A separate entry from
 * the package's main one, so runners and the SDK, which only verify, do not load the ORM.
 */
export { RegistryError } from './registry-errors.ts';
export type { RegistryErrorCode } from './registry-errors.ts';
export { RegistryService } from './registry-service.ts';
export { PUBLISH_TOKEN_PREFIX, PublishTokens, grantCovers, hashPublishToken } from './publish-tokens.ts';
export type { CreateTokenInput, PublishGrant, PublishTokenInfo } from './publish-tokens.ts';
export type {
  BuildIndexOptions,
  Download,
  ListOptions,
  PackageList,
  PackageSummary,
  PublishInput,
  PublishResult,
  RegistryServiceOptions,
  VersionRecord,
} from './registry-service.ts';
export { BlobIntegrityError, DiskBlobStore, blobFileName } from '../storage/blob-store.ts';
export type { BlobStore } from '../storage/blob-store.ts';
export {
  REGISTRY_MIGRATIONS_TABLE,
  createRegistryOrm,
  migrateRegistry,
  pendingRegistryMigrations,
  rollbackRegistry,
} from '../storage/registry-orm.ts';
export type { RegistryOrm, RegistryOrmOptions, RollbackOptions } from '../storage/registry-orm.ts';
export * from '../storage/entities/index.ts';
