import { randomBytes } from 'node:crypto';
import { onMaintenanceDb } from '../src/storage/maintenance-db.ts';

/**
 * Server the test databases live on. Tests use the machine's PostgreSQL (trust auth); CI can point
 * elsewhere with TOWNES_TEST_POSTGRES_URL (a server URL without the database name).
 */
export const TEST_POSTGRES_SERVER = process.env.TOWNES_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Disconnect everyone still connected and drop the database. Safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh, uniquely named database, so test files can run in parallel and leave nothing behind. */
export async function createTestDatabase(prefix = 'townes_test'): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe test database name: ${name}`);
  await onMaintenanceDb(TEST_POSTGRES_SERVER, (orm) => orm.em.getConnection().execute(`create database "${name}"`, [], 'run'));
  let dropped = false;
  return {
    name,
    url: `${TEST_POSTGRES_SERVER}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) terminates lingering connections, e.g. a pool a failed test never closed
      await onMaintenanceDb(TEST_POSTGRES_SERVER, (orm) => orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`, [], 'run'));
    },
  };
}
