/**
 * CommandSync against the simulator's REST: one bulk overwrite per guild, debounced, only for the
 * guild that changed, and only when the set differs from the last one registered (also across a
 * restart, through the digest in Redis).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { REST } from 'discord.js';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { SlashCommand } from '@townesdev/plugin-contract';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';
import { CommandSync, guildCommandsBody } from '../../src/runner/index.ts';

const logger = pino({ level: 'silent' });
const rank: SlashCommand = { name: 'rank', description: 'Your rank', options: [{ type: 'user', name: 'user', description: 'Whose', required: false }] };
const leaderboard: SlashCommand = { name: 'leaderboard', description: 'Top members' };
const admin: SlashCommand = { name: 'xp', description: 'XP admin', subcommands: [{ name: 'reset', description: 'Reset', options: [{ type: 'integer', name: 'level', description: 'Level' }] }] };

describe('runner: slash command registration', () => {
  let sim: DiscordSimulator;
  let redis: Redis;
  let prefix: string;
  let rest: REST;
  let guildA: string;
  let guildB: string;
  const puts = (guildId: string) => sim.recorded.matching({ method: 'PUT', path: `/applications/${sim.applicationId}/guilds/${guildId}/commands` });
  const open = () => new CommandSync({ redis, prefix, logger, debounceMs: 50 });

  before(async () => {
    sim = await startDiscordSimulator();
    const owner = sim.state.addUser({ username: 'owner' }).id;
    guildA = sim.state.addGuild({ name: 'A', ownerId: owner }).id;
    guildB = sim.state.addGuild({ name: 'B', ownerId: owner }).id;
    redis = new Redis('redis://127.0.0.1:6379');
    prefix = `townes-test:${randomBytes(6).toString('hex')}:`;
    rest = new REST({ api: sim.apiBase }).setToken(sim.botToken);
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  test('translates manifest commands into Discord command JSON', () => {
    assert.deepEqual(guildCommandsBody([rank, admin]), [
      { type: 1, name: 'rank', description: 'Your rank', options: [{ type: 6, name: 'user', description: 'Whose', required: false }] },
      { type: 1, name: 'xp', description: 'XP admin', options: [{ type: 1, name: 'reset', description: 'Reset', options: [{ type: 4, name: 'level', description: 'Level' }] }] },
    ]);
  });

  test('waits for the application id, debounces, and overwrites only the guild that changed', async () => {
    const sync = open();
    sync.changed(guildA, [rank]);
    sync.changed(guildA, [rank, leaderboard]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(puts(guildA).length, 0, 'nothing before connect');
    sync.connect(sim.applicationId, rest);
    sync.changed(guildA, [leaderboard, rank]);
    await new Promise((r) => setTimeout(r, 150));
    await sync.flush();
    assert.equal(puts(guildA).length, 1);
    assert.equal(puts(guildB).length, 0);
    assert.deepEqual((sim.state.guildCommands.get(guildA) ?? []).map((c) => c.name), ['leaderboard', 'rank']);
    // the same set again (a config change, a re-read): nothing sent
    sync.changed(guildA, [rank, leaderboard]);
    await sync.flush();
    assert.equal(puts(guildA).length, 1);
    sync.close();
  });

  test('after a restart an unchanged set is not sent again; a changed one is', async () => {
    const sync = open();
    sync.connect(sim.applicationId, rest);
    sync.changed(guildA, [rank, leaderboard]);
    await sync.flush();
    assert.equal(puts(guildA).length, 1);
    sync.changed(guildA, [rank]);
    sync.changed(guildB, [admin]);
    await sync.flush();
    assert.equal(puts(guildA).length, 2);
    assert.equal(puts(guildB).length, 1);
    assert.deepEqual((sim.state.guildCommands.get(guildA) ?? []).map((c) => c.name), ['rank']);
    sync.changed(guildA, []);
    await sync.flush();
    assert.deepEqual(sim.state.guildCommands.get(guildA), []);
    sync.close();
  });
});
