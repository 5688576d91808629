import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKernelOrm, migrateKernel, type KernelOrm } from '../../src/storage/kernel-orm.ts';
import { PostgresPluginStore } from '../../src/storage/postgres-plugin-store.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/index.ts';
import { pluginStoreContract } from './plugin-store-contract.ts';

let db: TestDatabase;
let orm: KernelOrm;
let store: PostgresPluginStore;

before(async () => {
  db = await createTestDatabase();
  orm = await createKernelOrm(db.url, { logMigrations: false });
  await migrateKernel(orm);
  store = new PostgresPluginStore(orm, { ownsOrm: true });
});

after(async () => {
  await store?.close();
  await db?.drop();
});

describe('PostgresPluginStore', () => {
  pluginStoreContract(() => store);

  test('one bad value fails the whole batch, other namespaces included', async () => {
    const a = { plugin: '@acme/xp', guildId: 'atomic-1' };
    const b = { plugin: '@acme/xp', guildId: 'atomic-2' };
    await store.commit([{ ...a, writes: [{ key: 'k', value: '1' }] }]);
    // jsonb rejects the invalid text; the valid writes of namespace `a` must not land either
    await assert.rejects(
      store.commit([
        { ...a, writes: [{ key: 'k', value: '2' }, { key: 'new', value: '3' }] },
        { ...b, writes: [{ key: 'k', value: '{not json' }] },
      ]),
    );
    assert.deepEqual(Object.fromEntries(await store.get(a, ['k', 'new'])), { k: '1' });
    assert.equal((await store.get(b, ['k'])).size, 0);
  });

  test('a failed migration step leaves neither writes nor a ledger row', async () => {
    const a = { plugin: '@acme/xp', guildId: 'atomic-3' };
    await assert.rejects(
      store.commitMigration({ ...a, migrationId: 'm1', pluginVersion: '1.0.0', direction: 'up', writes: [{ key: 'ok', value: '1' }, { key: 'bad', value: '[' }] }),
    );
    assert.deepEqual(await store.appliedMigrations(a), []);
    assert.equal((await store.get(a, ['ok'])).size, 0);
  });

  test('two concurrent runs of the same migration step apply it once', async () => {
    const a = { plugin: '@acme/xp', guildId: 'race' };
    const step = { ...a, migrationId: 'm1', pluginVersion: '1.0.0', direction: 'up' as const };
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.commitMigration({ ...step, writes: [{ key: 'winner', value: String(i) }] })),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.deepEqual(Object.fromEntries(await store.get(a, ['winner'])), { winner: String(winner) });
  });

  test('keys and values are data, never SQL', async () => {
    const a = { plugin: "x'); drop table kernel_plugin_data; --", guildId: '?' };
    const key = "k' or '1'='1 ? \\ $1";
    const value = JSON.stringify({ s: "'); delete from kernel_plugin_data; -- ? $1 \\" });
    await store.commit([{ ...a, writes: [{ key, value }] }]);
    const got = await store.get(a, [key, "' or '1'='1"]);
    assert.deepEqual([...got.keys()], [key]);
    assert.deepEqual(JSON.parse(got.get(key) ?? 'null'), JSON.parse(value));
    assert.equal(await store.usage(a), Buffer.byteLength(key) + Buffer.byteLength(value));
  });

  test('a large batch is applied in one commit', async () => {
    const a = { plugin: '@acme/xp', guildId: 'bulk' };
    const writes = Array.from({ length: 5000 }, (_, i) => ({ key: `user:${String(i).padStart(5, '0')}`, value: JSON.stringify({ xp: i }) }));
    await store.commit([{ ...a, writes }]);
    const page = await store.list(a, 'user:', 3);
    assert.deepEqual(page.map((e) => e.key), ['user:00000', 'user:00001', 'user:00002']);
    assert.equal((await store.list(a, 'user:', 10_000)).length, 5000);
    await store.commit([{ ...a, writes: writes.map((w) => ({ key: w.key, value: null })) }]);
    assert.equal(await store.usage(a), 0);
  });

  test('NUL characters in keys are refused up front', async () => {
    await assert.rejects(store.commit([{ plugin: 'p', guildId: 'g', writes: [{ key: 'a\u0000b', value: '1' }] }]), TypeError);
  });
});
