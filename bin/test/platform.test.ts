/**
 * The platform as `townes start` wires it, in this process: the API (with the registry), the
 * built-in plugins published through the supply chain, the runner reading desired state over the
 * API's runner routes and hearing change notices on Redis, discord.js against the simulator.
 * What the issue asks of the whole: a change made through the API reaches that guild only.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';
import { loginAs } from '../browser-login.ts';
import { loadConfig } from '../config.ts';
import { installDemoPlugins, seedDemoGuild, type DemoGuild } from '../demo.ts';
import { startPlatform, type Platform } from '../platform.ts';

let db: TestDatabase;
let dir: string;
let platform: Platform;
let a: DemoGuild;
let b: DemoGuild;
const XP = encodeURIComponent('@townesdev/xp');

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  db = await createTestDatabase('townes_platform');
  dir = await mkdtemp(path.join(os.tmpdir(), 'townes-platform-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    REGISTRY_DATA_DIR: path.join(dir, 'registry'),
    RUNNER_CACHE_DIR: path.join(dir, 'plugins'),
    REDIS_PREFIX: `townes-test-${process.pid}-${Date.now()}:`,
    SANDBOX_HOSTS: '1',
  });
  platform = await startPlatform(config, pino({ level: process.env.TOWNES_TEST_LOG ?? 'silent' }), {
    apiPort: 0,
    runnerHealth: null,
    usageEveryMs: 200,
    async beforeRunner({ apiUrl, sim }) {
      a = seedDemoGuild(sim!);
      b = seedDemoGuild(sim!);
      await installDemoPlugins(apiUrl, sim!, a, () => {});
      await installDemoPlugins(apiUrl, sim!, b, () => {});
    },
  });
});

after(async () => {
  await platform?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('disabling xp through the API re-registers that guild’s commands only, and xp stops there', async () => {
  const sim = platform.sim!;
  const commands = (g: string) => (sim.state.guildCommands.get(g) ?? []).map((c) => String(c.name)).sort();
  const puts = (g: string) => sim.recorded.matching({ method: 'PUT', path: `/applications/${sim.applicationId}/guilds/${g}/commands` }).length;
  await until(() => commands(a.guildId).length === 3 && commands(b.guildId).length === 3, 'both guilds’ commands');
  const before = { a: puts(a.guildId), b: puts(b.guildId) };

  const cookie = await loginAs(platform.apiUrl, sim, a.ownerId);
  const res = await fetch(`${platform.apiUrl}/v1/assets/${a.guildId}/features/${XP}/disable`, { method: 'POST', headers: { cookie } });
  assert.equal(res.status, 200, await res.text());

  await until(() => puts(a.guildId) === before.a + 1, 'guild A’s bulk overwrite');
  assert.deepEqual(commands(a.guildId), ['welcome']);
  assert.equal(puts(b.guildId), before.b, 'guild B was not re-registered');

  // xp no longer runs in A; in B it still does
  const fromBot = (channel: string) => sim.state.messagesIn(channel).filter((m) => m.authorId === sim.botUser.id && /level 1/.test(m.content));
  sim.state.addMember(a.guildId, a.newcomerId);
  sim.state.addMember(b.guildId, b.newcomerId);
  for (let i = 0; i < 3; i++) {
    sim.gateway.message(a.guildId, a.generalChannel, a.newcomerId, `message ${i} in A`);
    sim.gateway.message(b.guildId, b.generalChannel, b.newcomerId, `message ${i} in B`);
  }
  await until(() => fromBot(b.generalChannel).length === 1, 'the level-up in guild B');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(fromBot(a.generalChannel).length, 0, 'no level-up in guild A: xp is disabled there');

  // enabling it again brings the commands back, for A only
  const enabled = await fetch(`${platform.apiUrl}/v1/assets/${a.guildId}/features/${XP}/enable`, { method: 'POST', headers: { cookie } });
  assert.equal(enabled.status, 200);
  await until(() => commands(a.guildId).length === 3, 'guild A’s commands back');
  assert.equal(puts(b.guildId), before.b);
});

test('the runner reads its guilds from the API and its plugins from the registry, verified', async () => {
  const runner = platform.runner.runner;
  assert.ok(runner.desired.guilds.has(a.guildId) && runner.desired.guilds.has(b.guildId));
  const downloads = await fetch(`${platform.apiUrl}/v1/registry/packages/${XP}`);
  assert.equal(downloads.status, 200);
  assert.deepEqual(platform.builtins.plugins.map((p) => p.name).sort(), ['@townesdev/welcome', '@townesdev/xp']);
});

test('the runner reports what it handled per guild: the API’s daily usage counts events and delivered actions', async () => {
  const sim = platform.sim!;
  const cookie = await loginAs(platform.apiUrl, sim, b.ownerId);
  const today = new Date().toISOString().slice(0, 10);
  const usage = async () => {
    const res = await fetch(`${platform.apiUrl}/v1/usage/${b.guildId}/daily?from=${today}&to=${today}`, { headers: { cookie } });
    return ((await res.json()) as { days: Array<{ events: number; actions: number }> }).days[0]!;
  };
  const deadline = Date.now() + 10_000;
  let seen = await usage();
  while ((seen.events < 3 || seen.actions < 1) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await usage();
  }
  assert.ok(seen.events >= 3, `events counted: ${JSON.stringify(seen)}`);
  assert.ok(seen.actions >= 1, `the level-up delivered in guild B is counted: ${JSON.stringify(seen)}`);
});
