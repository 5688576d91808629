import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { runMigrationsLocked } from '@townesdev/kernel/postgres';
import { registryMigrations } from '../../migrations/index.ts';
import { registryEntities } from './entities/index.ts';

export type RegistryOrm = MikroORM;

/**
 * MikroORM's table of applied registry migrations. Not the default name, and not the kernel's
 * or the API's: the registry may share a database with them, and each migrator must see only
 * its own rows.
 */
export const REGISTRY_MIGRATIONS_TABLE = 'registry_schema_migrations';

/** Any constant other than the kernel's: two registries migrating one database serialise on it. */
const MIGRATION_LOCK_KEY = 7_302_114_552;

export interface RegistryOrmOptions {
  /** Pool bounds; MikroORM's defaults otherwise. */
  pool?: { min?: number; max?: number };
  /** Log every query (development). */
  debug?: boolean;
  /** Print each migration applied or reverted (default true; tests turn it off). */
  logMigrations?: boolean;
}

/** The ORM for the registry's tables on the database at `url` (postgresql://user@host:port/db). */
export async function createRegistryOrm(url: string, options: RegistryOrmOptions = {}): Promise<RegistryOrm> {
  const config: Options = {
    clientUrl: url,
    entities: [...registryEntities],
    extensions: [Migrator],
    debug: options.debug ?? false,
    migrations: {
      tableName: REGISTRY_MIGRATIONS_TABLE,
      // only `migration:create` uses the path; running migrations uses the explicit list
      path: fileURLToPath(new URL('../../migrations/', import.meta.url)),
      migrationsList: registryMigrations,
      emit: 'ts',
      snapshot: false,
      silent: options.logMigrations === false,
      transactional: true,
      allOrNothing: true,
    },
  };
  if (options.pool) config.pool = options.pool;
  return MikroORM.init(config);
}

/** How far to roll back: down to (not including) the named migration, or 0 for all; default the last one. */
export interface RollbackOptions {
  to?: string | 0;
}

/**
 * Apply the pending registry migrations; returns the names applied (none when up to date). One
 * transaction behind an advisory lock, so concurrent starts apply each migration once.
 */
export async function migrateRegistry(orm: RegistryOrm): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) => migrator.up({ transaction: trx }));
}

/** Revert registry migrations: the last one by default. See docs/MIGRATIONS.md for what is lost. */
export async function rollbackRegistry(orm: RegistryOrm, options: RollbackOptions = {}): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) => migrator.down(options.to === undefined ? { transaction: trx } : { transaction: trx, to: options.to }));
}

/** Names of the registry migrations not yet applied. */
export async function pendingRegistryMigrations(orm: RegistryOrm): Promise<string[]> {
  const pending = await new Migrator(orm.em).getPending();
  return pending.map((m) => m.name);
}
