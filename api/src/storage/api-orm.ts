import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { runMigrationsLocked } from '@townesdev/kernel/postgres';
import { apiMigrations } from '../../migrations/index.ts';
import { apiEntities } from './entities/index.ts';

export type ApiOrm = MikroORM;

/** The API's own table of applied migrations, apart from the kernel's and the registry's. */
export const API_MIGRATIONS_TABLE = 'api_schema_migrations';

/** Not the kernel's or the registry's key: each schema owner migrates without waiting on the others. */
const MIGRATION_LOCK_KEY = 7_302_114_553;

export interface ApiOrmOptions {
  pool?: { min?: number; max?: number };
  debug?: boolean;
  /** Print each migration applied or reverted (default true; tests turn it off). */
  logMigrations?: boolean;
}

/** The ORM for the control plane's tables on the database at `url`. */
export async function createApiOrm(url: string, options: ApiOrmOptions = {}): Promise<ApiOrm> {
  const config: Options = {
    clientUrl: url,
    // its own context name: the API calls the registry's ORM (same process, same database) inside
    // its transactions, and MikroORM finds a transaction's EntityManager by this name
    contextName: 'api',
    entities: [...apiEntities],
    extensions: [Migrator],
    debug: options.debug ?? false,
    migrations: {
      tableName: API_MIGRATIONS_TABLE,
      path: fileURLToPath(new URL('../../migrations/', import.meta.url)),
      migrationsList: apiMigrations,
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

/** Apply pending API migrations (one transaction, advisory-locked); returns the names applied. */
export function migrateApi(orm: ApiOrm): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) => migrator.up({ transaction: trx }));
}

/** Revert API migrations: the last one by default, down to (not including) `to`, or all with 0. */
export function rollbackApi(orm: ApiOrm, options: { to?: string | 0 } = {}): Promise<string[]> {
  return runMigrationsLocked(orm, MIGRATION_LOCK_KEY, (migrator, trx) =>
    migrator.down(options.to === undefined ? { transaction: trx } : { transaction: trx, to: options.to }),
  );
}

/** Names of the API migrations not yet applied. */
export async function pendingApiMigrations(orm: ApiOrm): Promise<string[]> {
  return (await new Migrator(orm.em).getPending()).map((m) => m.name);
}
