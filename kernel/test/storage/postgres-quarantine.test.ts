import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KernelIncident, QuarantineRecord, QuarantineStore } from '../../src/quarantine/incident.ts';
import { MemoryIncidentSink } from '../../src/quarantine/memory-incident-sink.ts';
import { MemoryQuarantineStore } from '../../src/quarantine/memory-quarantine-store.ts';
import { PostgresIncidentSink } from '../../src/quarantine/postgres-incident-sink.ts';
import { PostgresQuarantineStore } from '../../src/quarantine/postgres-quarantine-store.ts';
import { createKernelOrm, migrateKernel, type KernelOrm } from '../../src/storage/kernel-orm.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/index.ts';

let db: TestDatabase;
let orm: KernelOrm;

before(async () => {
  db = await createTestDatabase();
  orm = await createKernelOrm(db.url, { logMigrations: false });
  await migrateKernel(orm);
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

const sorted = (records: QuarantineRecord[]): QuarantineRecord[] =>
  [...records].sort((a, b) => `${a.plugin} ${a.version} ${a.guildId}`.localeCompare(`${b.plugin} ${b.version} ${b.guildId}`));

/** The same round trip for both stores: the memory one is the reference. */
function quarantineContract(getStore: () => QuarantineStore): void {
  test('put, list and remove, per guild and everywhere', async () => {
    const store = getStore();
    const since = new Date('2026-11-20T10:00:00.123Z');
    const inGuild: QuarantineRecord = { plugin: '@acme/xp', version: '1.2.0', guildId: '111', reason: 'cpu-limit', message: 'took 52 ms', since };
    const everywhere: QuarantineRecord = { ...inGuild, guildId: null, reason: 'repeated-errors', message: 'threw in 3 guilds' };
    const otherVersion: QuarantineRecord = { ...inGuild, version: '1.3.0' };
    await store.put(inGuild);
    await store.put(everywhere);
    await store.put(otherVersion);
    assert.deepEqual(sorted(await store.list()), sorted([inGuild, everywhere, otherVersion]));

    // same plugin, version and scope: the newer record replaces the older
    const again = { ...inGuild, reason: 'memory-limit' as const, message: 'disposed', since: new Date('2026-11-21T00:00:00Z') };
    await store.put(again);
    assert.deepEqual(sorted(await store.list()), sorted([again, everywhere, otherVersion]));

    await store.remove('@acme/xp', '1.2.0', null);
    assert.deepEqual(sorted(await store.list()), sorted([again, otherVersion]), 'lifting "everywhere" keeps the per-guild one');
    await store.remove('@acme/xp', '1.2.0', '111');
    await store.remove('@acme/xp', '1.3.0', '111');
    await store.remove('@acme/none', '0.0.1', '111');
    assert.deepEqual(await store.list(), []);
  });
}

describe('MemoryQuarantineStore', () => {
  const store = new MemoryQuarantineStore();
  quarantineContract(() => store);
});

describe('PostgresQuarantineStore', () => {
  quarantineContract(() => new PostgresQuarantineStore(orm));

  test('survives a new store on the same database (a runner restart)', async () => {
    const record: QuarantineRecord = { plugin: '@acme/ai', version: '2.0.0', guildId: null, reason: 'host-crash', message: 'x', since: new Date() };
    await new PostgresQuarantineStore(orm).put(record);
    assert.deepEqual(await new PostgresQuarantineStore(orm).list(), [record]);
    await new PostgresQuarantineStore(orm).remove('@acme/ai', '2.0.0', null);
  });
});

describe('incident sinks', () => {
  const incident = (over: Partial<KernelIncident>): KernelIncident => ({
    plugin: '@acme/xp',
    version: '1.2.0',
    guildId: '111',
    severity: 'warning',
    kind: 'quarantine',
    message: 'cpu limit',
    at: new Date('2026-11-20T10:00:00Z'),
    ...over,
  });

  test('MemoryIncidentSink keeps incidents in order', async () => {
    const sink = new MemoryIncidentSink();
    const first = incident({});
    await sink.record(first);
    await sink.record(incident({ kind: 'dead-letter' }));
    assert.deepEqual(sink.incidents.map((i) => i.kind), ['quarantine', 'dead-letter']);
    assert.deepEqual(sink.incidents[0], first);
  });

  test('PostgresIncidentSink records and lists, newest first, by guild', async () => {
    const sink = new PostgresIncidentSink(orm);
    const a = incident({ at: new Date('2026-11-20T10:00:00Z') });
    const b = incident({ at: new Date('2026-11-20T11:00:00Z'), severity: 'critical', kind: 'host-replaced', message: 'sandbox host died' });
    const global = incident({ guildId: null, at: new Date('2026-11-20T12:00:00Z'), severity: 'info', kind: 'capability-denied' });
    const other = incident({ guildId: '222', at: new Date('2026-11-20T09:00:00Z') });
    for (const i of [a, b, global, other]) await sink.record(i);

    assert.deepEqual(await sink.list({ guildId: '111' }), [b, a]);
    assert.deepEqual(await sink.list({ guildId: null }), [global]);
    assert.deepEqual(await sink.list(), [global, b, a, other]);
    assert.deepEqual(await sink.list({ limit: 1 }), [global]);
  });
});
