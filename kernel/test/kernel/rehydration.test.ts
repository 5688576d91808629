import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { PluginBundle } from '../../src/index.ts';
import { Kernel, RecordingActionSink, StaticBundleSource } from '../../src/index.ts';
import { PostgresIncidentSink, PostgresPluginStore, PostgresQuarantineStore, createKernelOrm, migrateKernel } from '../../src/postgres.ts';
import type { KernelOrm } from '../../src/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/index.ts';
import { CHANNEL, GUILD_A, GUILD_B, MESSAGE_INTENTS, inlineBundle, message } from '../support/test-kernel.ts';

// Counts messages per guild; loops forever on "loop" (to earn a quarantine).
const counter = inlineBundle({ name: '@test/persistent', permissions: ['storage', 'discord.messages.send'], events: ['messageCreate'], discord: MESSAGE_INTENTS, migrations: [{ id: '001-init' }] }, `{
  events: { async messageCreate(ctx, m) {
    if (m.content === 'loop') for (;;) {}
    const n = ((await ctx.storage.get('n')) ?? 0) + 1;
    await ctx.storage.set('n', n);
    ctx.discord.sendMessage(m.channelId, 'n=' + n);
  } },
  migrations: { '001-init': { async up(ctx) { await ctx.storage.set('runs', ((await ctx.storage.get('runs')) ?? 0) + 1); }, async down() {} } },
}`);
const install = { plugin: '@test/persistent', version: '1.0.0', config: {}, grants: ['storage', 'discord.messages.send'] };

let db: TestDatabase;
let orm: KernelOrm;
before(async () => {
  db = await createTestDatabase('townes_rehydrate');
  orm = await createKernelOrm(db.url, { logMigrations: false });
  await migrateKernel(orm);
});
after(async () => {
  await orm?.close(true);
  await db?.drop();
});

/** A runner process's kernel over the shared database (what a restart gets back). */
async function runner(bundles: PluginBundle[]): Promise<{ kernel: Kernel; sink: RecordingActionSink }> {
  const sink = new RecordingActionSink();
  const source = new StaticBundleSource();
  for (const b of bundles) source.add(b);
  const kernel = await Kernel.start({ store: new PostgresPluginStore(orm), quarantine: new PostgresQuarantineStore(orm), incidents: new PostgresIncidentSink(orm), actions: sink, bundles: source, logger: pino({ level: 'silent' }), sandboxHosts: 1 });
  return { kernel, sink };
}

test('a restarted runner rehydrates from PostgreSQL: data continues, migrations do not run again, quarantines hold', { timeout: 60_000 }, async () => {
  const first = await runner([counter]);
  await first.kernel.applyGuild(GUILD_A, [install]);
  await first.kernel.applyGuild(GUILD_B, [install]);
  for (let i = 0; i < 3; i++) await first.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'hi', i), `a${i}`);
  for (let i = 0; i < 3; i++) await first.kernel.dispatch(GUILD_B, 'messageCreate', message(GUILD_B, 'loop', i), `b${i}`);
  assert.equal(first.kernel.quarantines().find((q) => q.guildId === GUILD_B)?.reason, 'cpu-limit');
  await first.kernel.shutdown(5000);

  const second = await runner([counter]);
  try {
    // The runner reapplies each guild's desired state, as it will on start from the API.
    assert.deepEqual(await second.kernel.applyGuild(GUILD_A, [install]), []);
    const problems = await second.kernel.applyGuild(GUILD_B, [install]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.error ?? '', /was stopped in this server because it exceeded its CPU time limit/);
    const report = await second.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'again', 10), 'a10');
    assert.ok(report.outcomes[0]?.ok, report.outcomes[0]?.error);
    assert.deepEqual(second.sink.actions.at(-1)?.action, { type: 'sendMessage', channelId: CHANNEL, message: { content: 'n=4' } });
    const store = new PostgresPluginStore(orm);
    assert.equal((await store.get({ plugin: '@test/persistent', guildId: GUILD_A }, ['runs'])).get('runs'), '1', 'the migration ran once, across both runners');
    assert.deepEqual(await store.appliedMigrations({ plugin: '@test/persistent', guildId: GUILD_A }), ['001-init']);
    const incidents = await new PostgresIncidentSink(orm).list({ guildId: GUILD_B });
    assert.ok(incidents.some((i) => i.kind === 'quarantine'), 'the quarantine incident was kept');
  } finally {
    await second.kernel.shutdown(5000);
  }
});
