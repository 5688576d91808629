import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKernelOrm, KERNEL_MIGRATIONS_TABLE, migrateKernel, pendingKernelMigrations, rollbackKernel, type KernelOrm } from '../../src/storage/kernel-orm.ts';
import { kernelMigrations } from '../../migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/index.ts';

const KERNEL_TABLES = ['kernel_incident', 'kernel_plugin_data', 'kernel_plugin_migration', 'kernel_plugin_quarantine'];

let db: TestDatabase;
let orm: KernelOrm;

before(async () => {
  db = await createTestDatabase();
  orm = await createKernelOrm(db.url, { logMigrations: false });
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

async function tables(): Promise<string[]> {
  const rows = await orm.em
    .getConnection()
    .execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public' and table_name like 'kernel%' order by table_name`);
  return rows.map((r) => r.table_name).filter((t) => t !== KERNEL_MIGRATIONS_TABLE);
}

test('migrateKernel creates the tables; a second run is a no-op', async () => {
  const pending = await pendingKernelMigrations(orm);
  assert.ok(pending.length > 0);
  assert.deepEqual(await migrateKernel(orm), pending);
  assert.deepEqual(await tables(), KERNEL_TABLES);
  assert.deepEqual(await migrateKernel(orm), []);
  assert.deepEqual(await pendingKernelMigrations(orm), []);
});

test('the migrations produce exactly the schema the entities describe', async () => {
  const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  assert.equal(diff.trim(), '', `entities and migrations disagree:\n${diff}`);
});

test('rollbackKernel reverts to an empty schema, and migrating again restores it', async () => {
  const all = await rollbackKernel(orm, { to: 0 });
  assert.ok(all.length > 0);
  assert.deepEqual(await tables(), []);
  assert.deepEqual(await pendingKernelMigrations(orm), [...all].reverse());
  assert.deepEqual(await migrateKernel(orm), [...all].reverse());
  assert.deepEqual(await tables(), KERNEL_TABLES);
});

test('two processes migrating a fresh database at once apply each migration once', async () => {
  await rollbackKernel(orm, { to: 0 });
  // separate ORMs, so separate pools, as two runners starting together would have
  const [one, two] = await Promise.all([createKernelOrm(db.url, { logMigrations: false }), createKernelOrm(db.url, { logMigrations: false })]);
  try {
    const [a, b] = await Promise.all([migrateKernel(one), migrateKernel(two)]);
    assert.deepEqual([...a, ...b].sort(), kernelMigrations.map((m) => m.name).sort(), 'each applied exactly once');
    assert.ok(a.length === 0 || b.length === 0, 'the process that got the lock second found nothing to do');
    assert.deepEqual(await tables(), KERNEL_TABLES);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});
