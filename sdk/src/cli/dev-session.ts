/**
 * `townes plugin dev`: a plugin author's playground on the platform's real path. Builds the plugin
 * in the folder and runs it in the runner (kernel, sandbox, action queue, discord.js) against the
 * Discord simulator, in one guild. The author types: members join and leave, say things, run
 * slash commands, and the guild's config changes; after each line it prints what "Discord"
 * received from the bot (messages, DMs, roles, replies), with the names the author typed.
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379) for the runner's action queue.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { configSchemaToZod, type PluginManifest, type SlashCommand } from '@townesdev/plugin-contract';
import { MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, StaticBundleSource } from '@townesdev/kernel';
import { Runner, type DesiredPlugin } from '@townesdev/kernel/runner';
import { buildPlugin } from '../build/build-plugin.ts';
import { messageText } from '../harness/describe-action.ts';
import { startDiscordSimulator, type DiscordSimulator } from '../simulator/index.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './cli-io.ts';

export interface DevIo extends CliIo {
  /** Lines typed by the author; standard input when absent. */
  input?: AsyncIterable<string>;
  /** Where the runner queues actions (default REDIS_URL or redis://127.0.0.1:6379). */
  redisUrl?: string;
}

export const DEV_HELP = `Type one of:
  join <name>                 a member joins (and is remembered by name)
  leave <name>                a member leaves
  <name>: <text>              <name> says <text> in #general
  /<command> [sub] [opt=value ...] [as <name>]
                              run a slash command (a value naming a member or channel means its id)
  config <json>               replace the guild's config for the plugin ("#name" means that
                              channel, "@name" that role: made in the guild on first use)
  help                        this list
  quit                        stop`;

type Print = (line: string) => void;

/** One simulated guild and what the author calls its members. */
class DevGuild {
  readonly sim: DiscordSimulator;
  readonly guildId: string;
  readonly general: string;
  readonly #ids = new Map<string, string>();
  #seenMessages = 0;
  #roles = new Map<string, string>();

  constructor(sim: DiscordSimulator) {
    this.sim = sim;
    const owner = sim.state.addUser({ username: 'you' });
    this.#ids.set('you', owner.id);
    const guild = sim.state.addGuild({ name: 'Dev Guild', ownerId: owner.id });
    this.guildId = guild.id;
    this.general = [...guild.channels.values()].find((c) => c.name === 'general')!.id;
  }

  /** The member called `name`, created on first use. */
  member(name: string): string {
    let id = this.#ids.get(name);
    if (!id) {
      id = this.sim.state.addUser({ username: name }).id;
      this.#ids.set(name, id);
    }
    return id;
  }

  /**
   * Config values the author writes by name: "#welcome" is that channel's id and "@Member" that
   * role's id, each created in the guild on first use (ids of the simulated guild mean nothing to
   * an author).
   */
  resolveNames(value: unknown): unknown {
    if (typeof value === 'string' && /^[#@][\w-]{1,32}$/.test(value)) {
      const name = value.slice(1);
      const g = this.sim.state.guild(this.guildId);
      if (value.startsWith('#')) return [...g.channels.values()].find((c) => c.name === name)?.id ?? this.sim.state.addChannel(this.guildId, { name }).id;
      return [...g.roles.values()].find((r) => r.name === name)?.id ?? this.sim.state.addRole(this.guildId, { name, permissions: 0n }).id;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolveNames(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveNames(v)]));
    return value;
  }

  known(name: string): string | undefined {
    return this.#ids.get(name.replace(/^[@#]/, '')) ?? [...this.sim.state.guild(this.guildId).channels.values()].find((c) => c.name === name.replace(/^#/, ''))?.id;
  }

  nameOf = (id: string): string =>
    this.sim.state.users.get(id)?.username ?? this.sim.state.channels.get(id)?.name ?? this.sim.state.guild(this.guildId).roles.get(id)?.name ?? id;

  /** What the bot did since the last call: messages (and DMs) it posted, roles it gave or took. */
  news(): string[] {
    const lines: string[] = [];
    const { messages } = this.sim.state;
    for (; this.#seenMessages < messages.length; this.#seenMessages++) {
      const m = messages[this.#seenMessages]!;
      if (m.authorId !== this.sim.botUser.id || m.interactionId) continue;
      const where = m.guildId ? `posts in #${this.nameOf(m.channelId)}` : `sends a DM to ${this.nameOf(this.sim.state.channels.get(m.channelId)?.recipientIds?.[0] ?? '')}`;
      lines.push(`${where}: ${messageText(m as Parameters<typeof messageText>[0], this.nameOf)}`);
    }
    const now = new Map<string, string>();
    for (const [userId, member] of this.sim.state.guild(this.guildId).members) if (userId !== this.sim.botUser.id) now.set(userId, [...member.roles].sort().join(','));
    for (const [userId, roles] of now) {
      const before = new Set((this.#roles.get(userId) ?? '').split(',').filter(Boolean));
      const after = new Set(roles.split(',').filter(Boolean));
      for (const r of after) if (!before.has(r)) lines.push(`gives role @${this.nameOf(r)} to ${this.nameOf(userId)}`);
      for (const r of before) if (!after.has(r)) lines.push(`takes role @${this.nameOf(r)} from ${this.nameOf(userId)}`);
    }
    this.#roles = now;
    return lines;
  }
}

/** Waits until the bot has been quiet for a moment (its actions go through a queue). */
async function settle(runner: Runner, sim: DiscordSimulator): Promise<void> {
  let seen = -1;
  // quiet: the action queue is empty and Discord received nothing new for three looks in a row
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 5000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    const idle = (await runner.queue.depth().catch(() => 0)) === 0 && sim.recorded.length === seen;
    quiet = idle ? quiet + 1 : 0;
    seen = sim.recorded.length;
  }
}

function parseCommand(line: string, commands: SlashCommand[], guild: DevGuild) {
  const words = line.slice(1).trim().split(/\s+/);
  const asAt = words.indexOf('as');
  const who = asAt >= 0 ? (words[asAt + 1] ?? 'you') : 'you';
  const [name = '', ...rest] = asAt >= 0 ? words.slice(0, asAt) : words;
  const declared = commands.find((c) => c.name === name);
  if (!declared) return { error: `no command /${name}; this plugin has ${commands.map((c) => `/${c.name}`).join(' ') || 'none'}` };
  const sub = declared.subcommands?.find((s) => s.name === rest[0]);
  const decls = sub ? sub.options : declared.options;
  const options: Array<{ type: number; name: string; value: string | number | boolean }> = [];
  for (const pair of sub ? rest.slice(1) : rest) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { error: `options are name=value; got "${pair}"` };
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const type = decls?.find((o) => o.name === key)?.type;
    const value = type === 'integer' || type === 'number' ? Number(raw) : type === 'boolean' ? raw === 'true' : (guild.known(raw) ?? raw);
    options.push({ type: ({ string: 3, integer: 4, boolean: 5, user: 6, channel: 7, role: 8, number: 10 } as Record<string, number>)[type ?? 'string'] ?? 3, name: key, value });
  }
  return { name, who, options: sub ? [{ type: 1, name: sub.name, options }] : options };
}

async function startDev(dir: string, config: unknown, io: DevIo) {
  const built = await buildPlugin({ dir, write: false });
  const sim = await startDiscordSimulator();
  const guild = new DevGuild(sim);
  const manifest: PluginManifest = built.manifest;
  const desired: DesiredPlugin = { plugin: manifest.name, version: manifest.version, enabled: true, config: guild.resolveNames(config) as Record<string, unknown>, grants: [...manifest.permissions] };
  const listeners = new Set<(guildId: string) => void>();
  const incidents: string[] = [];
  const prefix = `townes-dev:${randomBytes(6).toString('hex')}:`;
  try {
    const runner = await Runner.start({
      discord: { token: sim.botToken, apiBase: sim.apiBase },
      redisUrl: io.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: prefix,
      kernel: { store: new MemoryPluginStore(), quarantine: new MemoryQuarantineStore(), incidents: new MemoryIncidentSink(), bundles: new StaticBundleSource().add(built), sandboxHosts: 0 },
      desiredState: { guilds: async () => [guild.guildId], desiredState: async () => ({ plugins: [desired] }) },
      changes: {
        async subscribe(onGuild) {
          listeners.add(onGuild);
          return async () => void listeners.delete(onGuild);
        },
      },
      incidents: { report: async (i) => void incidents.push(`${i.title}: ${i.detail}`) },
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
      metricsLogEveryMs: 0,
      commandDebounceMs: 20,
    });
    const reconfigure = async (given: unknown) => {
      // checked against the manifest's schema here, as the API does, so the author reads why
      const checked = configSchemaToZod(manifest.config).safeParse(guild.resolveNames(given));
      if (!checked.success) throw new Error(`the config does not fit the plugin's schema: ${checked.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
      desired.config = checked.data as Record<string, unknown>;
      const applied = runner.desired.applied;
      for (const l of listeners) l(guild.guildId);
      for (let i = 0; i < 50 && runner.desired.applied === applied; i++) await new Promise((r) => setTimeout(r, 20));
    };
    return { sim, guild, runner, manifest, incidents, reconfigure, prefix };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

export async function devSession(args: string[], io: DevIo): Promise<number> {
  const configAt = args.indexOf('--config');
  const dir = resolve(io.cwd, args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--config') ?? '.');
  if (!existsSync(join(dir, 'src/plugin.ts'))) {
    io.err(`${dir} has no src/plugin.ts; run this in a plugin folder (townes plugin init creates one)`);
    return EXIT.noInput;
  }
  let config: unknown = {};
  if (configAt >= 0) {
    try {
      config = JSON.parse(args[configAt + 1] ?? '');
    } catch {
      io.err('townes plugin dev: --config takes a JSON object, such as \'{"channelId":"123"}\'');
      return EXIT.usage;
    }
  }
  let dev;
  try {
    dev = await startDev(dir, config, io);
  } catch (error) {
    io.err(`townes plugin dev: could not start the runner against the Discord simulator: ${(error as Error).message}${/ECONNREFUSED|Redis|6379/.test(String((error as Error).message)) ? ' (it needs Redis: start it, or set REDIS_URL)' : ''}`);
    return EXIT.unavailable;
  }
  const { sim, guild, runner, manifest, incidents } = dev;
  const print: Print = (l) => io.out(l);
  try {
    const enabled = runner.kernel.enabled(guild.guildId).some((e) => e.plugin === manifest.name);
    if (!enabled) {
      io.err(`townes plugin dev: ${manifest.name} could not be enabled with that config${incidents.length ? `: ${incidents.join('; ')}` : ''}`);
      return EXIT.dataError;
    }
    print(`${manifest.name}@${manifest.version} runs in the runner (sandbox, action queue, discord.js) against the Discord simulator at ${sim.baseUrl}, in "Dev Guild" with permissions ${manifest.permissions.join(', ') || '(none)'}.`);
    print(`Events: ${manifest.events.join(', ') || '(none)'}. Commands: ${manifest.commands.map((c) => `/${c.name}`).join(' ') || '(none)'}.`);
    print(DEV_HELP);
    const input = io.input ?? createInterface({ input: process.stdin, terminal: false });
    for await (const raw of input) {
      const line = raw.trim();
      if (!line) continue;
      print(`> ${line}`);
      const [verb = '', ...rest] = line.split(/\s+/);
      try {
        if (verb === 'quit' || verb === 'exit') break;
        if (verb === 'help') print(DEV_HELP);
        else if (verb === 'join' && rest[0]) sim.gateway.memberJoin(guild.guildId, guild.member(rest[0]));
        else if (verb === 'leave' && rest[0]) sim.gateway.memberLeave(guild.guildId, guild.member(rest[0]));
        else if (verb === 'config') {
          await dev.reconfigure(JSON.parse(line.slice('config'.length)));
          print('  config updated');
        } else if (line.startsWith('/')) {
          const parsed = parseCommand(line, manifest.commands, guild);
          if ('error' in parsed) print(`  ${parsed.error}`);
          else {
            const userId = guild.member(parsed.who);
            if (!sim.state.guild(guild.guildId).members.has(userId)) sim.state.addMember(guild.guildId, userId);
            const interaction = sim.gateway.interaction(guild.guildId, guild.general, userId, parsed.name, parsed.options as never);
            for (let i = 0; i < 60 && !interaction.originalMessageId; i++) await new Promise((r) => setTimeout(r, 50));
            const reply = sim.state.messages.find((m) => m.id === interaction.originalMessageId);
            const text = reply ? messageText(reply as Parameters<typeof messageText>[0], guild.nameOf).replace(/\n/g, '\n    ') : '';
            print(reply ? `  replies${(reply.flags & 64) !== 0 ? ` (only to ${parsed.who})` : ''}: ${text}` : '  no reply within 3 seconds');
          }
        } else if (/^[^\s:]+:/.test(line)) {
          const who = line.slice(0, line.indexOf(':'));
          const userId = guild.member(who);
          if (!sim.state.guild(guild.guildId).members.has(userId)) sim.state.addMember(guild.guildId, userId);
          sim.gateway.message(guild.guildId, guild.general, userId, line.slice(who.length + 1).trim());
        } else {
          print('  not understood; type help');
          continue;
        }
        await settle(runner, sim);
        for (const news of guild.news()) print(`  ${news}`);
        while (incidents.length) print(`  incident: ${incidents.shift()}`);
      } catch (error) {
        print(`  refused: ${(error as Error).message}`);
      }
    }
    return EXIT.ok;
  } finally {
    await runner.stop(2000);
    await sim.close();
    await forgetRedisKeys(io.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dev.prefix);
  }
}

/** A dev session leaves nothing in Redis: its queue and ledger were under a prefix of its own. */
async function forgetRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // Redis went away meanwhile: nothing more to tidy
  } finally {
    redis.disconnect();
  }
}
