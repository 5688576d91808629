/**
 * The action path without a gateway: DiscordActionSink → BullMQ queue → worker → discord.js REST
 * → the Discord simulator. Real Redis (a key prefix per run, removed after), real REST client.
 * Asserts on what the simulator recorded.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { REST } from 'discord.js';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Worker } from 'bullmq';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';
import type { ActionEnvelope } from '../../src/index.ts';
import {
  ActionQueue,
  bullConnection,
  DeliveryLedger,
  DiscordActions,
  DiscordActionSink,
  PermissionIncidents,
  RunnerMetrics,
  startActionWorker,
  type GuildDirectory,
  type RunnerIncident,
} from '../../src/runner/index.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

/** The simulator's state as a directory (the discord.js one needs a gateway; see the end-to-end tests). */
function simDirectory(sim: DiscordSimulator): GuildDirectory {
  return {
    channelGuild: async (id) => sim.state.channels.get(id)?.guildId ?? null,
    hasMember: async (g, u) => sim.state.guilds.get(g)?.members.has(u) ?? false,
    hasRole: async (g, r) => sim.state.guilds.get(g)?.roles.has(r) ?? false,
  };
}

describe('runner: the action queue against the Discord simulator', () => {
  let sim: DiscordSimulator;
  let redis: Redis;
  let prefix: string;
  let queue: ActionQueue;
  let worker: Worker;
  let sink: DiscordActionSink;
  let metrics: RunnerMetrics;
  let ledger: DeliveryLedger;
  let actions: DiscordActions;
  /** Per key, a stand-in for the first attempt (to simulate a crash at a chosen point). */
  const hooks = new Map<string, (a: ActionEnvelope) => Promise<void>>();
  const incidents: RunnerIncident[] = [];
  let guildA: string;
  let guildB: string;
  let chanA: string;
  let chanB: string;
  let alice: string;
  let roleA: string;
  let n = 0;
  const key = () => `messageCreate:${Date.now()}-${n++}:@test/p:0`;
  const message = (channelId: string, content: string, guildId = guildA, k = key()): ActionEnvelope => ({ key: k, plugin: '@test/p', version: '1.0.0', guildId, action: { type: 'sendMessage', channelId, message: { content } } });
  const sentIn = (channelId: string) => sim.recorded.matching({ method: 'POST', path: `/channels/${channelId}/messages`, status: 200 });
  async function until(check: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    sim = await startDiscordSimulator({ rateLimits: { limit: 10_000, windowMs: 1000 } });
    const owner = sim.state.addUser({ username: 'owner' }).id;
    alice = sim.state.addUser({ username: 'alice' }).id;
    guildA = sim.state.addGuild({ name: 'A', ownerId: owner }).id;
    guildB = sim.state.addGuild({ name: 'B', ownerId: owner }).id;
    sim.state.addMember(guildA, alice);
    roleA = sim.state.addRole(guildA, { name: 'Regular', permissions: 0n }).id;
    chanA = [...sim.state.guild(guildA).channels.keys()][0] as string;
    chanB = [...sim.state.guild(guildB).channels.keys()][0] as string;
    redis = new Redis(REDIS_URL);
    prefix = `townes-test:${randomBytes(6).toString('hex')}:`;
    metrics = new RunnerMetrics();
    const connection = bullConnection(REDIS_URL);
    queue = new ActionQueue({ connection, name: 'actions', prefix: `${prefix}bull` });
    sink = new DiscordActionSink({ directory: simDirectory(sim), queue, metrics, logger });
    const rest = new REST({ api: sim.apiBase }).setToken(sim.botToken);
    actions = new DiscordActions(rest);
    ledger = new DeliveryLedger(redis, prefix);
    worker = startActionWorker({
      connection,
      name: 'actions',
      prefix: `${prefix}bull`,
      perform: (a) => hooks.get(a.key)?.(a) ?? actions.perform(a),
      ledger,
      incidents: new PermissionIncidents({ redis, prefix, reporter: { report: async (i) => void incidents.push(i) }, logger }),
      metrics,
      logger,
    });
    void worker.run();
  });

  after(async () => {
    await worker.close();
    await queue.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  test('a queued message reaches Discord once, with a nonce Discord enforces', async () => {
    const e = message(chanA, 'hello from the queue');
    await sink.perform([e]);
    await until(() => sentIn(chanA).length === 1);
    const sent = sentIn(chanA)[0]!;
    assert.equal((sent.body as { content: string }).content, 'hello from the queue');
    assert.equal((sent.body as { enforce_nonce: boolean }).enforce_nonce, true);
    assert.deepEqual((sent.body as { allowed_mentions: unknown }).allowed_mentions, { parse: ['users'] });
    // the same key again (a retried event): the job id is taken, nothing more is sent
    await sink.perform([e]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sentIn(chanA).length, 1);
  });

  test('a job run again after its key was recorded delivered is skipped (crash after the ledger write)', async () => {
    const e = message(chanA, 'delivered before a crash');
    const before = sentIn(chanA).length;
    const skipped = metrics.actions.skippedDelivered;
    // first run: Discord accepted and the ledger says so, then the worker "dies" before completing
    hooks.set(e.key, async () => {
      hooks.delete(e.key);
      await ledger.record(e.key);
      throw new Error('crash after the send');
    });
    await sink.perform([e]);
    await until(() => metrics.actions.skippedDelivered === skipped + 1, 10_000);
    assert.equal(sentIn(chanA).length, before);
  });

  test('a job run again after Discord accepted but before the ledger write posts nothing twice (nonce)', async () => {
    const e = message(chanA, 'sent, then a crash before the ledger');
    const before = sentIn(chanA).length;
    hooks.set(e.key, async (a) => {
      hooks.delete(e.key);
      await actions.perform(a);
      throw new Error('crash before the ledger write');
    });
    await sink.perform([e]);
    await until(() => sim.recorded.matching({ method: 'POST', path: `/channels/${chanA}/messages` }).filter((r) => (r.body as { content?: string }).content === 'sent, then a crash before the ledger').length === 2, 10_000);
    await until(() => metrics.actions.delivered > 0 && !hooks.has(e.key));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sim.state.messagesIn(chanA).filter((m) => m.content === 'sent, then a crash before the ledger').length, 1, 'Discord kept one message');
    assert.equal(sentIn(chanA).length, before + 2, 'two sends reached Discord; the nonce made the second return the first');
  });

  test('a target outside the envelope guild is refused before it is queued', async () => {
    const rejected = metrics.actions.rejected;
    await sink.perform([
      message(chanB, 'reaching into guild B from A'),
      { key: key(), plugin: '@test/p', version: '1.0.0', guildId: guildB, action: { type: 'addRole', userId: alice, roleId: roleA } },
      { key: key(), plugin: '@test/p', version: '1.0.0', guildId: guildB, action: { type: 'sendDirectMessage', userId: alice, message: { content: 'hi' } } },
    ]);
    assert.equal(metrics.actions.rejected, rejected + 3);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sentIn(chanB).length, 0);
    assert.equal(sim.recorded.matching({ method: 'PUT', path: /\/roles\// }).length, 0);
  });

  test('role changes and DMs go through', async () => {
    await sink.perform([
      { key: key(), plugin: '@test/p', version: '1.0.0', guildId: guildA, action: { type: 'addRole', userId: alice, roleId: roleA, reason: 'level 1' } },
      { key: key(), plugin: '@test/p', version: '1.0.0', guildId: guildA, action: { type: 'sendDirectMessage', userId: alice, message: { content: 'welcome!' } } },
    ]);
    await until(() => sim.state.member(guildA, alice).roles.includes(roleA));
    await until(() => sim.state.messages.some((m) => m.content === 'welcome!' && m.guildId === null));
    const put = sim.recorded.matching({ method: 'PUT', path: `/guilds/${guildA}/members/${alice}/roles/${roleA}` })[0];
    assert.equal(decodeURIComponent(put?.headers['x-audit-log-reason'] ?? ''), 'level 1'); // Discord takes it URL-encoded
  });

  test('a 429 storm delays but drops nothing and repeats nothing', async () => {
    const fault = sim.faults.rateLimit({ route: `/channels/${chanA}/messages`, count: 5, retryAfterMs: 200 });
    const before = sim.state.messagesIn(chanA).length;
    const burst = Array.from({ length: 40 }, (_, i) => message(chanA, `burst ${i}`));
    const started = Date.now();
    await sink.perform(burst);
    await until(() => sim.state.messagesIn(chanA).length === before + 40, 20_000);
    assert.equal(fault.hits, 5);
    assert.ok(Date.now() - started >= 200, 'the 429s made the worker wait');
    const contents = sim.state.messagesIn(chanA).slice(before).map((m) => m.content).sort();
    assert.deepEqual(contents, burst.map((b) => (b.action as { message: { content: string } }).message.content).sort());
  });

  test('missing permissions: one incident per guild and permission, naming it and the fix', async () => {
    sim.state.withholdBotPermissions(guildA, PermissionFlagsBits.SendMessages);
    try {
      const refused = metrics.actions.refused;
      await sink.perform(Array.from({ length: 10 }, (_, i) => message(chanA, `refused ${i}`)));
      await until(() => metrics.actions.refused === refused + 10);
      assert.equal(incidents.length, 1);
      const incident = incidents[0]!;
      assert.equal(incident.guildId, guildA);
      assert.match(incident.title, /Send Messages/);
      assert.match(incident.detail, /Give the bot's role Send Messages/);
      assert.equal(sim.recorded.matching({ path: `/channels/${chanA}/messages`, status: 403 }).length, 10, 'no retries of a refusal');
    } finally {
      sim.state.restoreBotPermissions(guildA);
    }
  });
});
