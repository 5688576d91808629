import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { runMigrationsLocked } from './locked-migrator.ts';
import { kernelMigrations } from '../../migrations/index.ts';
import { kernelEntities } from './entities/index.ts';

export type KernelOrm = MikroORM;

/**
 * MikroORM's own table of applied kernel migrations. Not the default name, because the API keeps
 * its own migrations in the same database: each migrator must see only its own rows, or it would
 * treat the other's as applied-but-unknown.
 */
export const KERNEL_MIGRATIONS_TABLE = 'kernel_schema_migrations';

/** Any constant: two processes migrating the same database serialise on this advisory lock. */
const MIGRATION_LOCK_KEY = 7_302_114_551;

export interface KernelOrmOptions {
  /** Pool bounds; MikroORM's defaults otherwise. */
  pool?: { min?: number; max?: number };
  /** Log every query (development). */
  debug?: boolean;
  /** Print each migration applied or reverted (default true; tests turn it off). */
  logMigrations?: boolean;
}

/** The ORM for the kernel's tables on the database at `url` (postgresql://user@host:port/db). */
export async function createKernelOrm(url: string, options: KernelOrmOptions = {}): Promise<KernelOrm> {
  const config: Options = {
    clientUrl: url,
    entities: [...kernelEntities],
    extensions: [Migrator],
    debug: options.debug ?? false,
    migrations: {
      tableName: KERNEL_MIGRATIONS_TABLE,
      // only `migration:create` uses the path; running migrations uses the explicit list
      path: fileURLToPath(new URL('../../migrations/', import.meta.url)),
      migrationsList: kernelMigrations,
      emit: 'ts',
      // no snapshot file: it would be written into the package at run time, and the
      // migrations are written by hand anyway
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
 * Apply the pending kernel migrations; returns the names applied (none when up to date). Runs in
 * one transaction that first takes an advisory lock, so two processes starting together apply
 * each migration once and the second one finds nothing to do.
 */
export async function migrateKernel(orm: KernelOrm): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) => migrator.up({ transaction: trx }));
}

/** Revert kernel migrations: the last one by default. See docs/MIGRATIONS.md for what is lost. */
export async function rollbackKernel(orm: KernelOrm, options: RollbackOptions = {}): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) => migrator.down(options.to === undefined ? { transaction: trx } : { transaction: trx, to: options.to }));
}

/** Names of the kernel migrations not yet applied. */
export async function pendingKernelMigrations(orm: KernelOrm): Promise<string[]> {
  const pending = await new Migrator(orm.em).getPending();
  return pending.map((m) => m.name);
}
