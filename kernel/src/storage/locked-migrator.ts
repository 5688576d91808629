import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { MigrationInfo, Transaction } from '@mikro-orm/core';

/**
 * Run a MikroORM migrator step (up or down) in one transaction behind a PostgreSQL advisory lock,
 * so processes starting together apply each migration once and the later ones find nothing to
 * do. Each schema owner (kernel, registry, API) passes its own lock key, so owners sharing a database do
 * not wait on each other. Returns the names of the migrations applied or reverted.
 */
export async function runMigrationsLocked(
  orm: MikroORM,
  lockKey: number,
  run: (migrator: Migrator, trx: Transaction) => Promise<MigrationInfo[]>,
): Promise<string[]> {
  // a fresh Migrator per run: it caches "tracking table exists", which a rolled-back run would falsify
  const migrator = new Migrator(orm.em);
  const connection = orm.em.getConnection();
  const lock = (trx: Transaction) => connection.execute('select pg_advisory_xact_lock(?)', [lockKey], 'all', trx);
  // MikroORM's tracking table is created (under the lock) and committed first: the migrator
  // probes for it on other pooled connections, which cannot see, and would block on, a table
  // created but not yet committed by the migration transaction.
  await connection.transactional(async (trx) => {
    await lock(trx);
    const storage = migrator.getStorage();
    storage.setMasterMigration(trx);
    try {
      await storage.ensureTable();
    } finally {
      storage.unsetMasterMigration();
    }
  });
  const done = await connection.transactional(async (trx) => {
    await lock(trx);
    return run(migrator, trx);
  });
  return done.map((m) => m.name);
}
