import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { registryMigrations } from '../../migrations/index.ts';
import { createRegistryOrm, migrateRegistry, pendingRegistryMigrations, REGISTRY_MIGRATIONS_TABLE, rollbackRegistry, type RegistryOrm } from '../../src/storage/registry-orm.ts';

const REGISTRY_TABLES = ['registry_index_state', 'registry_package', 'registry_publish_token', 'registry_version'];

let db: TestDatabase;
let orm: RegistryOrm;

before(async () => {
  db = await createTestDatabase('townes_registry_test');
  orm = await createRegistryOrm(db.url, { logMigrations: false });
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

async function tables(): Promise<string[]> {
  const rows = await orm.em
    .getConnection()
    .execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public' and table_name like 'registry%' order by table_name`);
  return rows.map((r) => r.table_name).filter((t) => t !== REGISTRY_MIGRATIONS_TABLE);
}

test('migrateRegistry creates the tables and the index state row; a second run is a no-op', async () => {
  const pending = await pendingRegistryMigrations(orm);
  assert.deepEqual(pending, registryMigrations.map((m) => m.name));
  assert.deepEqual(await migrateRegistry(orm), pending);
  assert.deepEqual(await tables(), REGISTRY_TABLES);
  assert.deepEqual(await migrateRegistry(orm), []);
  assert.deepEqual(await pendingRegistryMigrations(orm), []);
  const state = await orm.em.getConnection().execute<{ id: number; serial: string }[]>('select id, serial from registry_index_state');
  assert.deepEqual(state.map((r) => [r.id, Number(r.serial)]), [[1, 0]]);
});

test('the migrations produce exactly the schema the entities describe', async () => {
  const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  assert.equal(diff.trim(), '', `entities and migrations disagree:\n${diff}`);
});

test('the registry tracks its migrations in its own table, apart from the kernel', async () => {
  const rows = await orm.em.getConnection().execute<{ name: string }[]>(`select name from "${REGISTRY_MIGRATIONS_TABLE}" order by id`);
  assert.deepEqual(rows.map((r) => r.name), registryMigrations.map((m) => m.name));
});

test('rollbackRegistry reverts to an empty schema, and migrating again restores it', async () => {
  const all = await rollbackRegistry(orm, { to: 0 });
  assert.deepEqual(all, [...registryMigrations.map((m) => m.name)].reverse());
  assert.deepEqual(await tables(), []);
  assert.deepEqual(await migrateRegistry(orm), registryMigrations.map((m) => m.name));
  assert.deepEqual(await tables(), REGISTRY_TABLES);
});

test('two processes migrating a fresh database at once apply each migration once', async () => {
  await rollbackRegistry(orm, { to: 0 });
  const [one, two] = await Promise.all([createRegistryOrm(db.url, { logMigrations: false }), createRegistryOrm(db.url, { logMigrations: false })]);
  try {
    const [a, b] = await Promise.all([migrateRegistry(one), migrateRegistry(two)]);
    assert.deepEqual([...a, ...b].sort(), registryMigrations.map((m) => m.name).sort(), 'each applied exactly once');
    assert.deepEqual(await tables(), REGISTRY_TABLES);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});
