/**
 * An unmodified discord.js 14 Client against the simulator, configured only through its
 * documented options (`rest: { api: sim.apiBase }`, `shards`, `shardCount`, `intents`): READY and
 * GUILD_CREATE, member joins, messages, slash commands and replies, a 429 it must honour, and a
 * dropped connection it must resume. Its REST traffic is checked against Discord's OpenAPI spec.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayIntentBits, GatewayOpcodes, type Client, type TextChannel } from 'discord.js';
import { snowflakeForShard, startDiscordSimulator, type DiscordSimulator, type SimGuild, type SimUser } from '@townesdev/sdk/simulator';
import { eventually, loginAndWaitReady, nextEvent, simulatorClient } from './discord-js-client.ts';
import { loadDiscordOpenApi } from './discord-openapi.ts';

const openapi = loadDiscordOpenApi();
const ALL = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

describe('Discord simulator: discord.js 14, one shard', () => {
  let sim: DiscordSimulator;
  let client: Client;
  let owner: SimUser;
  let alice: SimUser;
  let guild: SimGuild;
  let general: string;

  before(async () => {
    sim = await startDiscordSimulator({ gateway: { heartbeatIntervalMs: 1000 } });
    owner = sim.state.addUser({ username: 'owner' });
    alice = sim.state.addUser({ username: 'alice' });
    guild = sim.state.addGuild({ name: 'One Shard', ownerId: owner.id });
    general = [...guild.channels.keys()][0] as string;
    client = simulatorClient(sim, { intents: ALL, shards: [0], shardCount: 1 });
    await loginAndWaitReady(client, sim);
  });
  after(async () => {
    await client.destroy();
    await sim.close();
  });

  test('READY and GUILD_CREATE: the client knows its user, the guild and its channels', () => {
    assert.equal(client.user?.id, sim.botUser.id);
    assert.equal(client.application?.id, sim.applicationId);
    const cached = client.guilds.cache.get(guild.id);
    assert.equal(cached?.name, 'One Shard');
    assert.equal(cached?.channels.cache.get(general)?.name, 'general');
    assert.deepEqual(sim.gateway.connectedShards().map((s) => [s.shardId, s.shardCount]), [[0, 1]]);
    assert.equal(sim.recorded.matching({ method: 'GET', path: '/gateway/bot' }).length, 1, 'discord.js asked for the gateway URL');
    const identify = sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Identify })[0];
    assert.deepEqual((identify?.d as { shard: number[]; token: string }).shard, [0, 1]);
    assert.equal((identify?.d as { token: string }).token, '[masked]');
    assert.ok(sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Heartbeat }).length >= 0);
  });

  test('guildMemberAdd, messageCreate with content, and a message sent through discord.js', async () => {
    const joined = nextEvent(client, 'guildMemberAdd');
    sim.gateway.memberJoin(guild.id, alice.id);
    const [member] = await joined;
    assert.equal(member.id, alice.id);
    assert.equal(member.guild.id, guild.id);

    const received = nextEvent(client, 'messageCreate', 5000, (m) => m.author.id === alice.id);
    sim.gateway.message(guild.id, general, alice.id, 'hello bot');
    const [message] = await received;
    assert.equal(message.content, 'hello bot');
    assert.equal(message.guildId, guild.id);

    const own = nextEvent(client, 'messageCreate', 5000, (m) => m.author.id === sim.botUser.id);
    const sent = await (client.channels.cache.get(general) as TextChannel).send('hi alice');
    assert.equal(sent.content, 'hi alice');
    await own; // Discord echoes the bot's own message on the gateway
    const posted = sim.recorded.matching({ method: 'POST', path: `/channels/${general}/messages` });
    assert.equal(posted.length, 1);
    assert.equal((posted[0]?.body as { content: string }).content, 'hi alice');
    assert.equal(posted[0]?.headers.authorization, 'Bot [masked]');
  });

  test('interactionCreate, and the reply reaches the callback route within the window', async () => {
    const created = nextEvent(client, 'interactionCreate');
    const sent = sim.gateway.interaction(guild.id, general, alice.id, 'rank', { user: alice.id });
    const [interaction] = await created;
    assert.ok(interaction.isChatInputCommand());
    assert.equal(interaction.commandName, 'rank');
    assert.equal(interaction.options.getString('user'), alice.id);
    assert.equal(interaction.user.id, alice.id);
    await interaction.reply({ content: 'You are level 3' });
    const callback = await sim.recorded.waitFor({ method: 'POST', path: `/interactions/${sent.id}/${sent.token}/callback` });
    assert.equal(callback.status, 204);
    const body = callback.body as { type: number; data: { content: string } };
    assert.deepEqual([body.type, body.data.content], [4, 'You are level 3']);
    assert.equal(sim.interactions.get(sent.id)?.responseType, 4);
    const followUp = await interaction.followUp({ content: 'and one more thing' });
    assert.equal(followUp.content, 'and one more thing');
  });

  test('a 429 is honoured: discord.js waits, retries, and the message arrives once', async () => {
    const fault = sim.faults.rateLimit({ route: `/channels/${general}/messages`, method: 'POST', count: 1, retryAfterMs: 300 });
    const before = sim.state.messagesIn(general).length;
    const started = Date.now();
    await (client.channels.cache.get(general) as TextChannel).send('after the limit');
    assert.ok(Date.now() - started >= 250, 'it waited for retry-after');
    assert.equal(fault.hits, 1);
    const attempts = sim.recorded.matching({ method: 'POST', path: `/channels/${general}/messages` }).slice(-2);
    assert.deepEqual(attempts.map((r) => r.status), [429, 200]);
    assert.deepEqual(sim.state.messagesIn(general).slice(before).map((m) => m.content), ['after the limit']);
  });

  test('a dropped connection resumes, and the events missed meanwhile are replayed once', async () => {
    const resumed = nextEvent(client, 'shardResume', 10_000);
    const joins: string[] = [];
    const onJoin = (m: { id: string }): void => void joins.push(m.id);
    client.on('guildMemberAdd', onJoin);
    try {
      const bob = sim.state.addUser({ username: 'bob' });
      assert.equal(sim.faults.dropConnection(0), 1);
      sim.gateway.memberJoin(guild.id, bob.id); // while the client is away
      await resumed;
      await eventually(() => joins.includes(bob.id), 5000, 'the replayed GUILD_MEMBER_ADD');
      assert.deepEqual(joins, [bob.id]);
      assert.equal(sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Resume }).length, 1, 'discord.js sent RESUME');
      assert.equal(sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Identify }).length, 1, 'and did not identify again');
    } finally {
      client.off('guildMemberAdd', onJoin);
    }
  });

  test('a reconnect request (op 7) is followed by a RESUME', async () => {
    const resumed = nextEvent(client, 'shardResume', 10_000);
    sim.faults.requestReconnect(0);
    await resumed;
    assert.equal(sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Resume }).length, 2);
  });

  test('discord.js REST traffic conforms to the OpenAPI spec', () => {
    const errors = sim.recorded.flatMap((r) => openapi.exchangeErrors(r));
    assert.deepEqual(errors, []);
  });
});

describe('Discord simulator: discord.js 14, two shards', () => {
  let sim: DiscordSimulator;
  let client: Client;
  let alice: SimUser;
  const guilds: SimGuild[] = [];

  before(async () => {
    sim = await startDiscordSimulator({ gateway: { heartbeatIntervalMs: 1000 }, recommendedShards: 2 });
    alice = sim.state.addUser({ username: 'alice' });
    for (const shard of [0, 1]) {
      const g = sim.state.addGuild({ id: snowflakeForShard(shard, 2), name: `Guild on shard ${shard}`, ownerId: alice.id });
      guilds.push(g);
    }
    client = simulatorClient(sim, { intents: ALL, shards: [0, 1], shardCount: 2 });
    await loginAndWaitReady(client, sim);
  });
  after(async () => {
    await client.destroy();
    await sim.close();
  });

  test('each shard identifies with [id, 2] and gets only its own guilds', () => {
    assert.deepEqual(sim.gateway.connectedShards().map((s) => [s.shardId, s.shardCount]), [[0, 2], [1, 2]]);
    for (const [shard, guild] of guilds.entries()) {
      const creates = sim.gatewayLog.matching({ direction: 'sent', t: 'GUILD_CREATE', shardId: shard });
      assert.deepEqual(creates.map((e) => (e.d as { id: string }).id), [guild.id], `shard ${shard}`);
      assert.equal(client.guilds.cache.get(guild.id)?.shardId, shard);
    }
  });

  test('events go to the shard of their guild', async () => {
    const g1 = guilds[1] as SimGuild;
    const channel = [...g1.channels.keys()][0] as string;
    const received = nextEvent(client, 'messageCreate', 5000, (m) => m.guildId === g1.id);
    sim.gateway.message(g1.id, channel, alice.id, 'on shard one');
    const [message] = await received;
    assert.equal(message.guild?.shardId, 1);
    assert.deepEqual(sim.gatewayLog.matching({ direction: 'sent', t: 'MESSAGE_CREATE' }).map((e) => e.shardId), [1]);
  });

  test('an invalidated session makes that shard identify again', async () => {
    const ready = nextEvent(client, 'shardReady', 15_000, (shardId) => shardId === 1);
    assert.equal(sim.faults.invalidateSession(1), 1);
    await ready;
    const identifies = sim.gatewayLog.matching({ direction: 'received', op: GatewayOpcodes.Identify });
    assert.deepEqual(identifies.map((e) => (e.d as { shard: number[] }).shard[0]).sort(), [0, 1, 1]);
  });
});

describe('Discord simulator: intents are respected', () => {
  test('without MESSAGE_CONTENT a message arrives empty; without GUILD_MEMBERS no joins', async () => {
    const sim = await startDiscordSimulator({ gateway: { heartbeatIntervalMs: 1000 } });
    const client = simulatorClient(sim, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
    try {
      const alice = sim.state.addUser({ username: 'alice' });
      const guild = sim.state.addGuild({ name: 'Few intents', ownerId: alice.id });
      const channel = [...guild.channels.keys()][0] as string;
      await loginAndWaitReady(client, sim);
      const bob = sim.state.addUser({ username: 'bob' });
      sim.gateway.memberJoin(guild.id, bob.id);
      const received = nextEvent(client, 'messageCreate');
      sim.gateway.message(guild.id, channel, bob.id, 'secret words');
      const [message] = await received;
      assert.equal(message.content, '');
      const mention = nextEvent(client, 'messageCreate');
      sim.gateway.message(guild.id, channel, bob.id, `<@${sim.botUser.id}> hi`);
      assert.equal((await mention)[0].content, `<@${sim.botUser.id}> hi`, 'messages mentioning the bot keep their content');
      assert.equal(sim.gatewayLog.matching({ direction: 'sent', t: 'GUILD_MEMBER_ADD' }).length, 0);
    } finally {
      await client.destroy();
      await sim.close();
    }
  });
});
