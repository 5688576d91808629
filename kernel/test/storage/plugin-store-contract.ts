import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Namespace, PluginStore, StoredEntry } from '../../src/storage/plugin-store.ts';
import { entryBytes } from '../../src/storage/plugin-store.ts';

/**
 * The behaviour every PluginStore must share, run against each implementation. Every test works
 * in namespaces of its own (fresh guild ids), so the suite needs no cleanup between tests.
 *
 * Values are compared as parsed JSON: PostgreSQL keeps them as jsonb and prints them back in its
 * own spacing and key order, which the contract allows (the sandbox parses them anyway).
 */
export function pluginStoreContract(getStore: () => PluginStore): void {
  const guild = (): string => `g-${randomUUID()}`;
  const ns = (plugin = '@acme/xp', guildId = guild()): Namespace => ({ plugin, guildId });
  const json = (v: unknown): string => JSON.stringify(v);
  const parsed = (m: Map<string, string>): Record<string, unknown> =>
    Object.fromEntries([...m].map(([k, v]) => [k, JSON.parse(v)]));
  const entries = (list: StoredEntry[]): [string, unknown][] => list.map((e) => [e.key, JSON.parse(e.value)]);
  const put = (n: Namespace, values: Record<string, unknown>): Promise<void> =>
    getStore().commit([{ ...n, writes: Object.entries(values).map(([key, v]) => ({ key, value: v === null ? null : json(v) })) }]);

  test('get returns the stored values and omits missing keys', async () => {
    const store = getStore();
    const a = ns();
    await put(a, { level: 3, profile: { name: 'Ada', tags: ['x', 'y'] }, flag: true, text: 'it\'s "quoted" \\ é ✓' });
    const got = await store.get(a, ['level', 'profile', 'missing', 'text', 'flag']);
    assert.deepEqual(parsed(got), { level: 3, profile: { name: 'Ada', tags: ['x', 'y'] }, flag: true, text: 'it\'s "quoted" \\ é ✓' });
    assert.equal(got.has('missing'), false);
    assert.equal((await store.get(a, [])).size, 0);
    assert.equal((await store.get(ns(), ['level'])).size, 0, 'an empty namespace has nothing');
  });

  test('read answers several namespaces at once, in order, with usage only where asked', async () => {
    const store = getStore();
    const g = guild();
    const xp = ns('@acme/xp', g);
    const welcome = ns('@acme/welcome', g);
    const empty = ns();
    await put(xp, { a: 1, b: { n: 2 }, c: 'three' });
    await put(welcome, { a: 'w' });
    const results = await store.read([
      { ...xp, keys: ['a', 'c', 'missing'], wantUsage: true },
      { ...welcome, keys: ['a', 'b'], wantUsage: false },
      { ...empty, keys: ['a'], wantUsage: true },
      { ...xp, keys: ['b'], wantUsage: false },
      { ...welcome, keys: [], wantUsage: true },
    ]);
    const values = (i: number) => Object.fromEntries((results[i]?.values ?? []).map(([k, v]) => [k, JSON.parse(v)]));
    assert.equal(results.length, 5);
    assert.deepEqual(values(0), { a: 1, c: 'three' });
    assert.equal(results[0]?.usage, await store.usage(xp));
    assert.deepEqual(values(1), { a: 'w' });
    assert.equal(results[1]?.usage, undefined);
    assert.deepEqual(values(2), {});
    assert.equal(results[2]?.usage, 0);
    assert.deepEqual(values(3), { b: { n: 2 } }, 'the same namespace twice: each gets only its keys');
    assert.deepEqual(values(4), {});
    assert.equal(results[4]?.usage, entryBytes('a', json('w')));
    assert.deepEqual(await store.read([]), []);
  });

  test('namespaces are isolated by plugin and by guild', async () => {
    const store = getStore();
    const g = guild();
    await put(ns('@acme/xp', g), { k: 1 });
    await put(ns('@acme/welcome', g), { k: 2 });
    const other = ns('@acme/xp');
    await put(other, { k: 3 });
    assert.deepEqual(parsed(await store.get(ns('@acme/xp', g), ['k'])), { k: 1 });
    assert.deepEqual(parsed(await store.get(ns('@acme/welcome', g), ['k'])), { k: 2 });
    assert.deepEqual(parsed(await store.get(other, ['k'])), { k: 3 });
  });

  test('list returns entries in key order, filtered by prefix, at most limit', async () => {
    const store = getStore();
    const a = ns();
    await put(a, { 'user:3': 3, 'user:1': 1, 'guild:x': 'x', 'user:2': 2, user: 0, 'users:9': 9, 'a%b': 'pct', 'a_b': 'us', axb: 'x' });
    assert.deepEqual(entries(await store.list(a, 'user:', 10)), [
      ['user:1', 1],
      ['user:2', 2],
      ['user:3', 3],
    ]);
    assert.deepEqual(entries(await store.list(a, 'user:', 2)), [
      ['user:1', 1],
      ['user:2', 2],
    ]);
    assert.deepEqual(
      (await store.list(a, '', 100)).map((e) => e.key),
      ['a%b', 'a_b', 'axb', 'guild:x', 'user', 'user:1', 'user:2', 'user:3', 'users:9'],
    );
    // the prefix is literal text, not a pattern
    assert.deepEqual((await store.list(a, 'a%', 10)).map((e) => e.key), ['a%b']);
    assert.deepEqual((await store.list(a, 'a_', 10)).map((e) => e.key), ['a_b']);
    assert.deepEqual(await store.list(a, 'user:', 0), []);
    assert.deepEqual(await store.list(a, 'nothing', 10), []);
    assert.deepEqual(await store.list(ns(), '', 10), []);
    // paging: `after` excludes the cursor and everything before it
    assert.deepEqual((await store.list(a, 'user:', 2, 'user:1')).map((e) => e.key), ['user:2', 'user:3']);
    assert.deepEqual((await store.list(a, 'user:', 10, 'user:3')).map((e) => e.key), []);
    assert.deepEqual((await store.list(a, 'user:', 10, 'a')).map((e) => e.key), ['user:1', 'user:2', 'user:3']);
    assert.deepEqual((await store.list(a, '', 2, 'user')).map((e) => e.key), ['user:1', 'user:2']);
  });

  test('usage counts key and value bytes of the text as written', async () => {
    const store = getStore();
    const a = ns();
    assert.equal(await store.usage(a), 0);
    // deliberately not in jsonb's canonical form: usage must not depend on how it is stored
    const obj = '{"b":1,  "a":[1,2]}';
    await store.commit([{ ...a, writes: [{ key: 'obj', value: obj }, { key: 'é', value: '"ü✓"' }] }]);
    assert.equal(await store.usage(a), entryBytes('obj', obj) + entryBytes('é', '"ü✓"'));
    await store.commit([{ ...a, writes: [{ key: 'obj', value: '1' }] }]);
    assert.equal(await store.usage(a), entryBytes('obj', '1') + entryBytes('é', '"ü✓"'));
    await store.commit([{ ...a, writes: [{ key: 'é', value: null }] }]);
    assert.equal(await store.usage(a), entryBytes('obj', '1'));
  });

  test('commit applies a batch of several namespaces together, last write per key winning', async () => {
    const store = getStore();
    const g1 = guild();
    const g2 = guild();
    await put(ns('@acme/xp', g1), { stale: 1, keep: 1 });
    await store.commit([
      { plugin: '@acme/xp', guildId: g1, writes: [{ key: 'a', value: '1' }, { key: 'stale', value: null }, { key: 'a', value: '2' }] },
      { plugin: '@acme/welcome', guildId: g1, writes: [{ key: 'msg', value: '"hi"' }] },
      { plugin: '@acme/xp', guildId: g2, writes: [{ key: 'a', value: '10' }, { key: 'gone', value: '1' }, { key: 'gone', value: null }] },
      // the same namespace twice in one batch: applied in order
      { plugin: '@acme/xp', guildId: g1, writes: [{ key: 'b', value: '3' }, { key: 'keep', value: null }, { key: 'keep', value: '5' }] },
    ]);
    assert.deepEqual(parsed(await store.get(ns('@acme/xp', g1), ['a', 'b', 'stale', 'keep'])), { a: 2, b: 3, keep: 5 });
    assert.deepEqual(parsed(await store.get(ns('@acme/welcome', g1), ['msg'])), { msg: 'hi' });
    assert.deepEqual(parsed(await store.get(ns('@acme/xp', g2), ['a', 'gone'])), { a: 10 });
    await store.commit([]);
    await store.commit([{ plugin: '@acme/xp', guildId: g1, writes: [] }]);
  });

  test('a null value deletes the key; deleting a missing key is harmless', async () => {
    const store = getStore();
    const a = ns();
    await put(a, { x: 1, y: 2 });
    await put(a, { x: null, never: null });
    assert.deepEqual(parsed(await store.get(a, ['x', 'y', 'never'])), { y: 2 });
    assert.deepEqual((await store.list(a, '', 10)).map((e) => e.key), ['y']);
  });

  test('commitMigration: up once, a second up is a no-op, down reverses the ledger', async () => {
    const store = getStore();
    const a = ns();
    await put(a, { v1: 'old' });
    const step = { ...a, migrationId: '0001-rename', pluginVersion: '1.1.0' };
    assert.equal(await store.commitMigration({ ...step, direction: 'up', writes: [{ key: 'v2', value: '"old"' }, { key: 'v1', value: null }] }), true);
    assert.deepEqual(parsed(await store.get(a, ['v1', 'v2'])), { v2: 'old' });
    assert.deepEqual(await store.appliedMigrations(a), ['0001-rename']);

    // the second run must change nothing, not even its own writes
    assert.equal(await store.commitMigration({ ...step, direction: 'up', writes: [{ key: 'v2', value: '"again"' }, { key: 'extra', value: '1' }] }), false);
    assert.deepEqual(parsed(await store.get(a, ['v1', 'v2', 'extra'])), { v2: 'old' });
    assert.deepEqual(await store.appliedMigrations(a), ['0001-rename']);

    assert.equal(await store.commitMigration({ ...step, migrationId: '0002-more', direction: 'up', writes: [] }), true);
    assert.equal(await store.commitMigration({ ...step, migrationId: '0000-first', direction: 'up', writes: [] }), true);
    assert.deepEqual(await store.appliedMigrations(a), ['0000-first', '0001-rename', '0002-more'], 'ascending');
    assert.deepEqual(await store.appliedMigrations(ns(a.plugin)), [], 'the ledger is per namespace');

    assert.equal(await store.commitMigration({ ...step, direction: 'down', writes: [{ key: 'v1', value: '"old"' }, { key: 'v2', value: null }] }), true);
    assert.deepEqual(parsed(await store.get(a, ['v1', 'v2'])), { v1: 'old' });
    assert.deepEqual(await store.appliedMigrations(a), ['0000-first', '0002-more']);

    // a down that is not in the ledger changes nothing
    assert.equal(await store.commitMigration({ ...step, direction: 'down', writes: [{ key: 'v1', value: null }] }), false);
    assert.equal(await store.commitMigration({ ...step, migrationId: '9999-never', direction: 'down', writes: [{ key: 'v1', value: null }] }), false);
    assert.deepEqual(parsed(await store.get(a, ['v1'])), { v1: 'old' });
    // and after the down, the up can run again
    assert.equal(await store.commitMigration({ ...step, direction: 'up', writes: [] }), true);
  });

  test('purge removes a guild, or one plugin in it, with its ledger, and counts the keys', async () => {
    const store = getStore();
    const g = guild();
    const other = guild();
    await put(ns('@acme/xp', g), { a: 1, b: 2 });
    await put(ns('@acme/welcome', g), { c: 3 });
    await put(ns('@acme/xp', other), { a: 9 });
    await store.commitMigration({ ...ns('@acme/xp', g), migrationId: 'm1', pluginVersion: '1.0.0', direction: 'up', writes: [] });
    await store.commitMigration({ ...ns('@acme/welcome', g), migrationId: 'm1', pluginVersion: '1.0.0', direction: 'up', writes: [] });
    await store.commitMigration({ ...ns('@acme/xp', other), migrationId: 'm1', pluginVersion: '1.0.0', direction: 'up', writes: [] });

    assert.equal(await store.purge(g, '@acme/welcome'), 1);
    assert.equal((await store.get(ns('@acme/welcome', g), ['c'])).size, 0);
    assert.deepEqual(await store.appliedMigrations(ns('@acme/welcome', g)), []);
    assert.deepEqual(await store.appliedMigrations(ns('@acme/xp', g)), ['m1'], 'other plugins of the guild stay');

    assert.equal(await store.purge(g), 2);
    assert.equal(await store.usage(ns('@acme/xp', g)), 0);
    assert.deepEqual(await store.appliedMigrations(ns('@acme/xp', g)), []);
    assert.equal(await store.purge(g), 0);

    assert.deepEqual(parsed(await store.get(ns('@acme/xp', other), ['a'])), { a: 9 }, 'other guilds stay');
    assert.deepEqual(await store.appliedMigrations(ns('@acme/xp', other)), ['m1']);
  });
}
