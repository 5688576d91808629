/**
 * `townes plugin dev`: a plugin author's playground. Builds the plugin in the folder, loads it into
 * the real sandbox (through the test harness) with one simulated guild, and reads lines typed by
 * hand: members join and leave, say things, run slash commands, and the guild's config changes.
 * After each line it prints what the plugin did, as Discord would show it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandOptionValue, SlashCommand } from '@townesdev/plugin-contract';
import type { PluginAction } from '@townesdev/kernel';
import { createHarness } from '../harness/harness.ts';
import { describeAction, messageText } from '../harness/describe-action.ts';
import { nextSnowflake } from '../harness/simulated-ids.ts';
import type { SimulatedGuild } from '../harness/simulated-guild.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './cli-io.ts';

export interface DevIo extends CliIo {
  /** Lines typed by the author; standard input when absent. */
  input?: AsyncIterable<string>;
}

export const DEV_HELP = `Type one of:
  join <name>                 a member joins (and is remembered by name)
  leave <name>                a member leaves
  <name>: <text>              <name> says <text> in #general
  /<command> [sub] [opt=value ...] [as <name>]
                              run a slash command (a value naming a member, channel or role means its id)
  config <json>               replace the guild's config for the plugin
  help                        this list
  quit                        stop`;

/** Ids ⇄ names the author typed, so output reads "alice" and "#general", not snowflakes. */
class Names {
  readonly #ids = new Map<string, string>();
  readonly #names = new Map<string, string>();
  idOf(name: string): string {
    let id = this.#ids.get(name);
    if (!id) {
      id = nextSnowflake();
      this.#ids.set(name, id);
      this.#names.set(id, name);
    }
    return id;
  }
  known(name: string): string | undefined {
    return this.#ids.get(name);
  }
  nameOf = (id: string): string => this.#names.get(id) ?? id;
}

function optionValue(raw: string, type: string | undefined, names: Names): CommandOptionValue {
  if (type === 'integer' || type === 'number') return Number(raw);
  if (type === 'boolean') return raw === 'true';
  return names.known(raw.replace(/^[@#]/, '')) ?? raw;
}

async function runCommand(guild: SimulatedGuild, line: string, commands: SlashCommand[], names: Names, print: (l: string) => void): Promise<void> {
  const words = line.slice(1).trim().split(/\s+/);
  const asAt = words.indexOf('as');
  const who = asAt >= 0 ? (words[asAt + 1] ?? 'you') : 'you';
  const parts = asAt >= 0 ? words.slice(0, asAt) : words;
  const [name = '', ...rest] = parts;
  const declared = commands.find((c) => c.name === name);
  if (!declared) return print(`  no command /${name}; this plugin has ${commands.map((c) => `/${c.name}`).join(' ') || 'none'}`);
  const sub = declared.subcommands?.find((s) => s.name === rest[0]);
  const optionDecls = sub ? sub.options : declared.options;
  const options: Record<string, CommandOptionValue> = {};
  for (const pair of sub ? rest.slice(1) : rest) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return print(`  options are name=value; got "${pair}"`);
    const key = pair.slice(0, eq);
    options[key] = optionValue(pair.slice(eq + 1), optionDecls?.find((o) => o.name === key)?.type, names);
  }
  const result = await guild.command(name, { userId: names.idOf(who), username: who, options, ...(sub ? { subcommand: sub.name } : {}) });
  if (!result.ok) print(`  the plugin failed: ${result.error ?? 'unknown error'}`);
  if (result.reply) print(`  replies${result.reply.ephemeral ? ' (only to ' + who + ')' : ''}: ${messageText(result.reply, names.nameOf)}`);
  printActions(result.actions, names, print);
}

function printActions(actions: readonly PluginAction[], names: Names, print: (l: string) => void): void {
  for (const a of actions) print(`  ${describeAction(a, names.nameOf)}`);
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
  const names = new Names();
  const general = names.idOf('general');
  const harness = await createHarness({ pluginDir: dir });
  try {
    const { manifest } = harness;
    const guild = await harness.guild({ name: 'Dev Guild', config });
    io.out(`${manifest.name}@${manifest.version} is running in the sandbox, enabled in "Dev Guild" with permissions ${manifest.permissions.join(', ') || '(none)'}.`);
    io.out(`Events: ${manifest.events.join(', ') || '(none)'}. Commands: ${manifest.commands.map((c) => `/${c.name}`).join(' ') || '(none)'}.`);
    io.out(DEV_HELP);
    const input = io.input ?? createInterface({ input: process.stdin, terminal: false });
    for await (const raw of input) {
      const line = raw.trim();
      if (!line) continue;
      io.out(`> ${line}`);
      const [verb = '', ...rest] = line.split(/\s+/);
      try {
        if (verb === 'quit' || verb === 'exit') break;
        else if (verb === 'help') io.out(DEV_HELP);
        else if (verb === 'join' && rest[0]) printActions((await guild.memberAdd({ user: { id: names.idOf(rest[0]), username: rest[0] } })).actions, names, io.out);
        else if (verb === 'leave' && rest[0]) printActions((await guild.memberRemove({ user: { id: names.idOf(rest[0]), username: rest[0] } })).actions, names, io.out);
        else if (verb === 'config') {
          await guild.configure(JSON.parse(line.slice('config'.length)));
          io.out('  config updated');
        } else if (line.startsWith('/')) await runCommand(guild, line, manifest.commands, names, io.out);
        else if (/^[^\s:]+:/.test(line)) {
          const who = line.slice(0, line.indexOf(':'));
          const result = await guild.message({ authorId: names.idOf(who), username: who, channelId: general, content: line.slice(who.length + 1).trim() });
          if (!result.ok && result.error) io.out(`  the plugin failed: ${result.error}`);
          printActions(result.actions, names, io.out);
        } else io.out(`  not understood; type help`);
      } catch (error) {
        io.out(`  refused: ${(error as Error).message}`);
      }
    }
    const incidents = harness.incidents.length;
    if (incidents > 0) io.out(`${incidents} incident(s) were recorded (quarantine, denied calls); see them with the harness in a test.`);
    return EXIT.ok;
  } finally {
    await harness.close();
  }
}
