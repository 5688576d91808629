/**
 * The demo `townes start` shows against the Discord simulator: a guild whose owner logs in to the
 * API and installs welcome and xp through the marketplace routes, then a story told through the
 * simulator's gateway (a member joins, chats, levels up, asks /rank) with what "Discord" received
 * printed as a person would see it in the Discord client.
 */
import type { DiscordSimulator, SimMessage } from '@townesdev/sdk/simulator';
import { messageText } from '@townesdev/sdk/harness';
import { loginAs } from './browser-login.ts';

export interface DemoGuild {
  guildId: string;
  name: string;
  ownerId: string;
  newcomerId: string;
  welcomeChannel: string;
  generalChannel: string;
  memberRole: string;
  regularRole: string;
}

type Print = (line: string) => void;

/** A fresh demo guild in the simulator (new ids every run, so the story always starts from zero). */
export function seedDemoGuild(sim: DiscordSimulator): DemoGuild {
  const owner = sim.state.addUser({ username: 'alice', globalName: 'Alice' });
  const newcomer = sim.state.addUser({ username: 'dave', globalName: 'Dave' });
  const guild = sim.state.addGuild({ name: 'Demo Server', ownerId: owner.id });
  const general = [...guild.channels.values()].find((c) => c.name === 'general');
  const welcome = sim.state.addChannel(guild.id, { name: 'welcome' });
  const member = sim.state.addRole(guild.id, { name: 'Member', permissions: 0n });
  const regular = sim.state.addRole(guild.id, { name: 'Regular', permissions: 0n });
  return { guildId: guild.id, name: guild.name, ownerId: owner.id, newcomerId: newcomer.id, welcomeChannel: welcome.id, generalChannel: general!.id, memberRole: member.id, regularRole: regular.id };
}

/** The owner logs in with Discord and installs welcome and xp on the guild through the API. */
export async function installDemoPlugins(apiUrl: string, sim: DiscordSimulator, demo: DemoGuild, print: Print): Promise<void> {
  const cookie = await loginAs(apiUrl, sim, demo.ownerId);
  print(`  alice logged in with Discord (OAuth through the simulator) and got a tenant`);
  const install = async (plugin: string, config: Record<string, unknown>, grants: string[]) => {
    const res = await fetch(`${apiUrl}/v1/assets/${demo.guildId}/plugins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ plugin, version: '^1.0.0', grants, config }),
    });
    const body = (await res.json()) as { version?: string; error?: { message: string } };
    if (res.status !== 201) throw new Error(`installing ${plugin} failed: ${body.error?.message ?? res.status}`);
    print(`  alice installed ${plugin}@${body.version} on ${demo.name} (POST /v1/assets/${demo.guildId}/plugins)`);
  };
  await install('@townesdev/welcome', { channelId: demo.welcomeChannel, autoRoleId: demo.memberRole }, ['storage', 'discord.messages.send', 'discord.members.dm', 'discord.roles.manage']);
  await install('@townesdev/xp', { minXp: 40, maxXp: 60, cooldownSeconds: 0, roleRewards: [{ level: 1, roleId: demo.regularRole }] }, ['storage', 'discord.messages.send', 'discord.roles.manage']);
}

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`the demo waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The story, through the simulator's gateway to the runner and back to the simulator's REST. */
export async function runDemo(sim: DiscordSimulator, demo: DemoGuild, print: Print): Promise<void> {
  const name = (id: string) => sim.state.users.get(id)?.username ?? sim.state.guild(demo.guildId).channels.get(id)?.name ?? sim.state.guild(demo.guildId).roles.get(id)?.name ?? id;
  const channelName = (id: string) => sim.state.guild(demo.guildId).channels.get(id)?.name ?? id;
  const seen = new Set<string>();
  const fromBot = (channelId: string, test: (m: SimMessage) => boolean) => () =>
    sim.state.messagesIn(channelId).find((m) => m.authorId === sim.botUser.id && !seen.has(m.id) && test(m));
  const show = (m: SimMessage) => {
    seen.add(m.id);
    print(`    the bot posts in #${channelName(m.channelId)}: ${messageText(m as Parameters<typeof messageText>[0], name)}`);
  };
  const hasRole = (roleId: string) => () => (sim.state.member(demo.guildId, demo.newcomerId).roles.includes(roleId) ? true : undefined);

  const recordedBefore = sim.recorded.length;
  await until(() => (sim.state.guildCommands.has(demo.guildId) ? true : undefined), 'the slash commands to be registered');
  print(`\n${demo.name}'s slash commands, registered by the runner: ${(sim.state.guildCommands.get(demo.guildId) ?? []).map((c) => `/${c.name}`).join(' ')}`);

  print('  * dave joins Demo Server');
  sim.gateway.memberJoin(demo.guildId, demo.newcomerId);
  show(await until(fromBot(demo.welcomeChannel, (m) => m.content.includes(demo.newcomerId)), 'the welcome message'));
  await until(hasRole(demo.memberRole), 'the Member role');
  print('    the bot gives dave the @Member role');

  for (const content of ['hi everyone!', 'this server is great', 'anyone up for a game?']) {
    print(`  * dave in #general: ${content}`);
    sim.gateway.message(demo.guildId, demo.generalChannel, demo.newcomerId, content);
    await new Promise((r) => setTimeout(r, 150));
  }
  show(await until(fromBot(demo.generalChannel, (m) => /level 1/.test(m.content)), 'the level-up announcement'));
  await until(hasRole(demo.regularRole), 'the Regular role reward');
  print('    the bot gives dave the @Regular role (level 1 reward)');

  print('  * dave runs /rank');
  const interaction = sim.gateway.interaction(demo.guildId, demo.generalChannel, demo.newcomerId, 'rank');
  const reply = await until(() => (interaction.originalMessageId ? sim.state.messages.find((m) => m.id === interaction.originalMessageId) : undefined), 'the /rank reply', 3000);
  seen.add(reply.id);
  print(`    the bot replies within ${reply ? Date.parse(reply.timestamp) - interaction.createdAt : '?'} ms: ${messageText(reply as Parameters<typeof messageText>[0], name)}`);

  const story = sim.recorded.slice(recordedBefore);
  // ids and interaction tokens folded, so the summary reads as routes
  const routeOf = (route: string) => route.replace(/\d{15,21}/g, ':id').replace(/\/interactions\/:id\/[^/]+/, '/interactions/:id/:token');
  const byRoute = new Map<string, number>();
  for (const r of story) byRoute.set(`${r.method} ${routeOf(r.route)}`, (byRoute.get(`${r.method} ${routeOf(r.route)}`) ?? 0) + 1);
  print(`\nWhat Discord (the simulator) received from the bot during the story: ${[...byRoute].map(([k, n]) => `${k} x${n}`).join(', ')}`);
}
