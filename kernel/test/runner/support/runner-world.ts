/**
 * A runner against the Discord simulator for end-to-end tests: a simulated Discord with two
 * guilds (welcome + xp in A, xp in B), a fresh PostgreSQL database for plugin data, a Redis key
 * prefix of its own, the built-in plugins built by the SDK, desired state held in memory (the
 * binary reads it from the API; see bin/runner-control-plane.ts) and change notices on demand.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { StaticBundleSource, type PluginBundle } from '../../../src/index.ts';
import { createKernelOrm, migrateKernel, PostgresIncidentSink, PostgresPluginStore, PostgresQuarantineStore, type KernelOrm } from '../../../src/postgres.ts';
import { Runner, type DesiredPlugin, type RunnerIncident, type RunnerOptions } from '../../../src/runner/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/index.ts';
import { buildPlugin } from '@townesdev/sdk/build';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';

export const REDIS_URL = 'redis://127.0.0.1:6379';
const PLUGINS = new URL('../../../../plugins/', import.meta.url).pathname;

export const WELCOME = '@townesdev/welcome';
export const XP = '@townesdev/xp';
export const ALL_GRANTS = ['storage', 'discord.messages.send', 'discord.members.dm', 'discord.roles.manage'];

let built: Promise<PluginBundle[]> | null = null;
/** welcome and xp, built once per test process. */
export function builtinBundles(): Promise<PluginBundle[]> {
  built ??= Promise.all(['welcome', 'xp'].map((name) => buildPlugin({ dir: join(PLUGINS, name), write: false })));
  return built;
}

export interface Ids {
  guildA: string;
  guildB: string;
  welcomeChannel: string;
  generalA: string;
  generalB: string;
  memberRole: string;
  regularRole: string;
  owner: string;
}

/** What the control plane would say about each guild. */
export function desiredFor(ids: Ids): Map<string, DesiredPlugin[]> {
  return new Map([
    [ids.guildA, [
      { plugin: WELCOME, version: '1.0.0', enabled: true, config: { channelId: ids.welcomeChannel, autoRoleId: ids.memberRole }, grants: ALL_GRANTS },
      { plugin: XP, version: '1.0.0', enabled: true, config: { minXp: 60, maxXp: 60, cooldownSeconds: 0, roleRewards: [{ level: 1, roleId: ids.regularRole }] }, grants: ALL_GRANTS },
    ]],
    [ids.guildB, [{ plugin: XP, version: '1.0.0', enabled: true, config: { minXp: 100, maxXp: 100, cooldownSeconds: 0 }, grants: ALL_GRANTS }]],
  ]);
}

/** Seeds the simulated Discord: two guilds with channels and roles (the bot's role above them). */
export function seedGuilds(sim: DiscordSimulator): Ids {
  const owner = sim.state.addUser({ username: 'owner' }).id;
  const guildA = sim.state.addGuild({ name: 'Guild A', ownerId: owner }).id;
  const guildB = sim.state.addGuild({ name: 'Guild B', ownerId: owner }).id;
  const welcomeChannel = sim.state.addChannel(guildA, { name: 'welcome' }).id;
  return {
    guildA,
    guildB,
    welcomeChannel,
    generalA: [...sim.state.guild(guildA).channels.keys()][0] as string,
    generalB: [...sim.state.guild(guildB).channels.keys()][0] as string,
    memberRole: sim.state.addRole(guildA, { name: 'Member', permissions: 0n }).id,
    regularRole: sim.state.addRole(guildA, { name: 'Regular', permissions: 0n }).id,
    owner,
  };
}

export interface RunnerWorld {
  sim: DiscordSimulator;
  ids: Ids;
  db: TestDatabase;
  orm: KernelOrm;
  redis: Redis;
  prefix: string;
  desired: Map<string, DesiredPlugin[]>;
  incidents: RunnerIncident[];
  logger: Logger;
  /** Announce a change of one guild, as the API's Redis notice would. */
  notify(guildId: string): void;
  startRunner(overrides?: Partial<RunnerOptions>): Promise<Runner>;
  close(): Promise<void>;
}

export async function startRunnerWorld(options: { simulator?: Parameters<typeof startDiscordSimulator>[0]; logLevel?: string } = {}): Promise<RunnerWorld> {
  const sim = await startDiscordSimulator(options.simulator);
  const ids = seedGuilds(sim);
  const db = await createTestDatabase('townes_runner_test');
  const orm = await createKernelOrm(db.url, { logMigrations: false });
  await migrateKernel(orm);
  const redis = new Redis(REDIS_URL);
  const prefix = `townes-test:${randomBytes(6).toString('hex')}:`;
  const desired = desiredFor(ids);
  const incidents: RunnerIncident[] = [];
  const logger = pino({ level: options.logLevel ?? 'silent' });
  const listeners = new Set<(guildId: string) => void>();
  const bundles = new StaticBundleSource();
  for (const b of await builtinBundles()) bundles.add(b);
  const runners: Runner[] = [];
  return {
    sim,
    ids,
    db,
    orm,
    redis,
    prefix,
    desired,
    incidents,
    logger,
    notify: (guildId) => {
      for (const l of listeners) l(guildId);
    },
    async startRunner(overrides = {}) {
      const runner = await Runner.start({
        discord: { token: sim.botToken, apiBase: sim.apiBase },
        redisUrl: REDIS_URL,
        redisPrefix: prefix,
        kernel: { store: new PostgresPluginStore(orm), quarantine: new PostgresQuarantineStore(orm), incidents: new PostgresIncidentSink(orm), bundles, sandboxHosts: 1 },
        desiredState: { guilds: async () => [...desired.keys()], desiredState: async (g) => ({ plugins: desired.get(g) ?? [] }) },
        changes: {
          async subscribe(onGuild) {
            listeners.add(onGuild);
            return async () => void listeners.delete(onGuild);
          },
        },
        incidents: { report: async (i) => void incidents.push(i) },
        logger,
        health: { port: 0 },
        metricsLogEveryMs: 0,
        commandDebounceMs: 50,
        ...overrides,
      });
      runners.push(runner);
      return runner;
    },
    async close() {
      for (const r of runners) await r.stop(5000).catch(() => {});
      await orm.close(true);
      await db.drop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await sim.close();
    },
  };
}

/** Poll until `check` holds (or fail after `ms`). */
export async function until(check: () => boolean, ms = 10_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
