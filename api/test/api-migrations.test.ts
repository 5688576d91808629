import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { apiMigrations } from '../migrations/index.ts';
import { API_MIGRATIONS_TABLE, createApiOrm, migrateApi, pendingApiMigrations, rollbackApi, type ApiOrm } from '../src/storage/api-orm.ts';

const TABLES = ['api_audit_log', 'api_guild', 'api_incident', 'api_plugin_install', 'api_session', 'api_tenant', 'api_usage_counter', 'api_user'];
const names = apiMigrations.map((m) => m.name);

let db: TestDatabase;
let orm: ApiOrm;

before(async () => {
  db = await createTestDatabase('townes_api_test');
  orm = await createApiOrm(db.url, { logMigrations: false });
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

async function tables(): Promise<string[]> {
  const rows = await orm.em.getConnection().execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public' and table_name like 'api%' order by table_name`);
  return rows.map((r) => r.table_name).filter((t) => t !== API_MIGRATIONS_TABLE);
}

test('migrateApi creates the control-plane tables; a second run is a no-op', async () => {
  assert.deepEqual(await pendingApiMigrations(orm), names);
  assert.deepEqual(await migrateApi(orm), names);
  assert.deepEqual(await tables(), TABLES);
  assert.deepEqual(await migrateApi(orm), []);
});

test('the migrations produce exactly the schema the entities describe', async () => {
  const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  assert.equal(diff.trim(), '', `entities and migrations disagree:\n${diff}`);
});

test('rollback to zero removes every table; migrating again restores them', async () => {
  assert.deepEqual(await rollbackApi(orm, { to: 0 }), [...names].reverse());
  assert.deepEqual(await tables(), []);
  assert.deepEqual(await migrateApi(orm), names);
  assert.deepEqual(await tables(), TABLES);
});

test('two processes migrating at once apply each migration once', async () => {
  await rollbackApi(orm, { to: 0 });
  const [one, two] = await Promise.all([createApiOrm(db.url, { logMigrations: false }), createApiOrm(db.url, { logMigrations: false })]);
  try {
    const [a, b] = await Promise.all([migrateApi(one), migrateApi(two)]);
    assert.deepEqual([...a, ...b].sort(), [...names].sort());
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});
