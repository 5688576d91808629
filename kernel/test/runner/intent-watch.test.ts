/**
 * A plugin enabled after the gateway connected, needing intents the connection lacks, is reported
 * (log and incident, once) instead of silently receiving nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ALL_GRANTS, startRunnerWorld, until, WELCOME, XP, type RunnerWorld } from './support/runner-world.ts';

let world: RunnerWorld;

before(async () => {
  world = await startRunnerWorld();
  // at start only welcome runs anywhere: the gateway connects without GuildMessages/MessageContent
  const welcomeOnly = (world.desired.get(world.ids.guildA) ?? []).filter((p) => p.plugin === WELCOME);
  world.desired.clear();
  world.desired.set(world.ids.guildA, welcomeOnly);
  await world.startRunner();
});
after(() => world.close());

test('xp enabled later in a guild: one incident naming the missing intents and the fix', async () => {
  const { ids, desired, incidents } = world;
  desired.set(ids.guildB, [{ plugin: XP, version: '1.0.0', enabled: true, config: { minXp: 100, maxXp: 100, cooldownSeconds: 0 }, grants: ALL_GRANTS }]);
  world.notify(ids.guildB);
  await until(() => incidents.some((i) => i.guildId === ids.guildB && i.title.includes('needs gateway intents')), 10_000, 'the intent incident');
  const incident = incidents.find((i) => i.guildId === ids.guildB)!;
  assert.match(incident.detail, /GuildMessages, MessageContent/);
  assert.match(incident.detail, /Restart the runner/);
  world.notify(ids.guildB);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(incidents.filter((i) => i.guildId === ids.guildB).length, 1, 'reported once, not on every sync');
});
