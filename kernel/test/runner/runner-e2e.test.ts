/**
 * The runner end to end: an unmodified discord.js client against the Discord simulator's gateway
 * and REST, the kernel with the built-in plugins in a sandbox host process, plugin data in
 * PostgreSQL, actions through BullMQ on Redis. Assertions are on what the simulator received.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Runner } from '../../src/runner/index.ts';
import { startRunnerWorld, until, XP, type RunnerWorld } from './support/runner-world.ts';

describe('runner end to end (discord.js against the simulator)', () => {
  let world: RunnerWorld;
  let runner: Runner;
  let n = 0;
  const user = (name: string) => world.sim.state.addUser({ username: `${name}${n++}` }).id;
  const botMessages = (channelId: string) => world.sim.state.messagesIn(channelId).filter((m) => m.authorId === world.sim.botUser.id);

  before(async () => {
    world = await startRunnerWorld();
    runner = await world.startRunner();
  });
  after(() => world.close());

  test('start-up: desired state loaded, commands registered per guild, ready and healthy', async () => {
    const { sim, ids } = world;
    await until(() => sim.state.guildCommands.has(ids.guildA) && sim.state.guildCommands.has(ids.guildB), 5000, 'command registration');
    assert.deepEqual((sim.state.guildCommands.get(ids.guildA) ?? []).map((c) => c.name).sort(), ['leaderboard', 'rank', 'welcome']);
    assert.deepEqual((sim.state.guildCommands.get(ids.guildB) ?? []).map((c) => c.name).sort(), ['leaderboard', 'rank']);
    const health = runner.health?.url as string;
    assert.equal((await fetch(`${health}/healthz`)).status, 200);
    assert.equal((await fetch(`${health}/readyz`)).status, 200);
    const metrics = (await (await fetch(`${health}/metrics`)).json()) as { shards: Array<{ id: number; status: string }> };
    assert.deepEqual(metrics.shards.map((s) => [s.id, s.status]), [[0, 'Ready']]);
  });

  test('a member joins and is welcomed, and gets the member role', async () => {
    const { sim, ids } = world;
    const alice = user('alice');
    sim.gateway.memberJoin(ids.guildA, alice);
    await until(() => botMessages(ids.welcomeChannel).some((m) => m.content.includes(`<@${alice}>`)), 10_000, 'the welcome message');
    await until(() => sim.state.member(ids.guildA, alice).roles.includes(ids.memberRole), 10_000, 'the member role');
    assert.match(botMessages(ids.welcomeChannel).find((m) => m.content.includes(alice))?.content ?? '', /Welcome <@\d+> to Guild A/);
  });

  test('messages earn XP and a level-up is announced, with the role reward', async () => {
    const { sim, ids } = world;
    const bob = user('bob');
    sim.state.addMember(ids.guildA, bob);
    // 60 XP a message, level 1 at 100: the second message levels up
    sim.gateway.message(ids.guildA, ids.generalA, bob, 'hello');
    sim.gateway.message(ids.guildA, ids.generalA, bob, 'hello again');
    await until(() => botMessages(ids.generalA).some((m) => m.content.includes(`<@${bob}>`) && /level 1/.test(m.content)), 10_000, 'the level-up announcement');
    await until(() => sim.state.member(ids.guildA, bob).roles.includes(ids.regularRole), 10_000, 'the role reward');
    assert.equal(botMessages(ids.generalA).filter((m) => m.content.includes(`<@${bob}>`)).length, 1, 'announced once');
  });

  test('/rank is answered within the 3-second window', async () => {
    const { sim, ids } = world;
    const carol = user('carol');
    sim.state.addMember(ids.guildA, carol);
    const interaction = sim.gateway.interaction(ids.guildA, ids.generalA, carol, 'rank');
    const callback = await sim.recorded.waitFor({ method: 'POST', path: new RegExp(`^/interactions/${interaction.id}/`) }, 3000);
    assert.equal(callback.status, 204);
    assert.ok(callback.at - interaction.createdAt < 3000, `answered in ${callback.at - interaction.createdAt} ms`);
    assert.equal(interaction.responseType, 4);
    const reply = sim.state.messages.find((m) => m.id === interaction.originalMessageId);
    assert.ok(reply, 'the reply message exists');
  });

  test('a command-set change re-registers that guild only, once, and the plugin stops', async () => {
    const { sim, ids, desired } = world;
    const putsFor = (g: string) => sim.recorded.matching({ method: 'PUT', path: `/applications/${sim.applicationId}/guilds/${g}/commands` }).length;
    const before = { a: putsFor(ids.guildA), b: putsFor(ids.guildB) };
    // xp disabled in A (as the API's disable route would): one notice
    desired.set(ids.guildA, (desired.get(ids.guildA) ?? []).map((p) => (p.plugin === XP ? { ...p, enabled: false } : p)));
    world.notify(ids.guildA);
    await until(() => putsFor(ids.guildA) === before.a + 1, 5000, 'the overwrite for guild A');
    await runner.commands.flush();
    assert.deepEqual((sim.state.guildCommands.get(ids.guildA) ?? []).map((c) => c.name), ['welcome']);
    assert.equal(putsFor(ids.guildB), before.b, 'guild B untouched');
    // a notice without a change sends nothing
    world.notify(ids.guildA);
    await runner.desired.idle();
    await runner.commands.flush();
    assert.equal(putsFor(ids.guildA), before.a + 1);
    // xp no longer runs in A
    const dave = user('dave');
    sim.state.addMember(ids.guildA, dave);
    const delivered = runner.metrics.events.total;
    sim.gateway.message(ids.guildA, ids.generalA, dave, 'one');
    sim.gateway.message(ids.guildA, ids.generalA, dave, 'two');
    await until(() => runner.metrics.events.total === delivered + 2, 5000, 'the events');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(botMessages(ids.generalA).filter((m) => m.content.includes(`<@${dave}>`)).length, 0);
  });

  test('a 429 storm delays level-ups but drops and repeats nothing', async () => {
    const { sim, ids } = world;
    const fault = sim.faults.rateLimit({ route: `/channels/${ids.generalB}/messages`, count: 6, retryAfterMs: 300 });
    const members = Array.from({ length: 20 }, () => user('m'));
    for (const m of members) sim.state.addMember(ids.guildB, m);
    // 100 XP a message in B: every member's first message is a level-up
    for (const m of members) sim.gateway.message(ids.guildB, ids.generalB, m, 'hi');
    await until(() => members.every((m) => botMessages(ids.generalB).some((b) => b.content.includes(`<@${m}>`))), 20_000, 'every level-up');
    assert.equal(fault.hits, 6);
    for (const m of members) assert.equal(botMessages(ids.generalB).filter((b) => b.content.includes(`<@${m}>`)).length, 1, 'once each');
  });

  test('a dropped connection resumes and events keep flowing', async () => {
    const { sim, ids } = world;
    const resumesBefore = sim.gatewayLog.entries.filter((e) => e.direction === 'received' && e.op === 6).length;
    assert.equal(sim.faults.dropConnection(0), 1);
    const erin = user('erin');
    sim.state.addMember(ids.guildB, erin);
    // sent while the shard is away: replayed on RESUME
    sim.gateway.message(ids.guildB, ids.generalB, erin, 'are you there?');
    await until(() => botMessages(ids.generalB).some((m) => m.content.includes(`<@${erin}>`)), 15_000, 'the replayed event to be handled');
    assert.ok(sim.gatewayLog.entries.filter((e) => e.direction === 'received' && e.op === 6).length > resumesBefore, 'the client sent RESUME');
    await until(() => runner.gateway.shardStatus()[0]?.status === 'Ready', 5000, 'the shard to be ready again');
  });
});
