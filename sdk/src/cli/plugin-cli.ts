import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PluginName } from '@townesdev/plugin-contract';
import { buildPlugin } from '../build/build-plugin.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './cli-io.ts';
import { pluginTemplate } from './plugin-template.ts';
import { DEV_HELP, devSession, type DevIo } from './dev-session.ts';
import { download, publish } from './registry-commands.ts';
import { keygen, pack, sign, verify } from './supply-chain-commands.ts';

export { EXIT } from './cli-io.ts';
export type { CliIo } from './cli-io.ts';
export type { DevIo } from './dev-session.ts';

interface Command {
  usage: string;
  summary: string;
  /** More for `--help` than fits in the summary. */
  details?: string;
  run(args: string[], io: DevIo): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  init: {
    usage: 'townes plugin init <name> [--dir <folder>]',
    summary: 'create a TypeScript plugin with a passing test',
    async run(args, io) {
      const name = args.find((a) => !a.startsWith('--'));
      if (!name) return usageError(io, 'init', 'give the plugin a name, such as @acme/greeter');
      const valid = PluginName.safeParse(name);
      if (!valid.success) return usageError(io, 'init', `"${name}" is not a valid plugin name: ${valid.error.issues[0]?.message ?? ''}`);
      const dirFlag = args.indexOf('--dir');
      const dir = resolve(io.cwd, dirFlag >= 0 ? (args[dirFlag + 1] ?? '') : name.replace(/^@[^/]+\//, ''));
      if (existsSync(dir) && readdirSync(dir).length > 0) {
        io.err(`${dir} exists and is not empty; choose another folder with --dir`);
        return EXIT.cantCreate;
      }
      for (const [file, text] of Object.entries(pluginTemplate(name))) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      io.out(`Created ${name} in ${dir}`);
      io.out(`Next: townes plugin test ${dir}   then   townes plugin build ${dir}`);
      return EXIT.ok;
    },
  },
  build: {
    usage: 'townes plugin build [folder]',
    summary: 'bundle src/plugin.ts for the sandbox and write townes.plugin.json',
    async run(args, io) {
      const dir = resolve(io.cwd, args[0] ?? '.');
      if (!existsSync(join(dir, 'src/plugin.ts'))) {
        io.err(`${dir} has no src/plugin.ts; run this in a plugin folder (townes plugin init creates one)`);
        return EXIT.noInput;
      }
      try {
        const built = await buildPlugin({ dir });
        io.out(`Built ${built.manifest.name}@${built.manifest.version}: ${built.files?.bundle} (${(built.code.length / 1024).toFixed(1)} KB), ${built.files?.manifest}`);
        return EXIT.ok;
      } catch (error) {
        io.err(error instanceof Error ? error.message : String(error));
        return EXIT.dataError;
      }
    },
  },
  test: {
    usage: 'townes plugin test [folder]',
    summary: "run the plugin's tests (test/*.test.ts) with node:test, in the real sandbox",
    async run(args, io) {
      const dir = resolve(io.cwd, args[0] ?? '.');
      const testDir = join(dir, 'test');
      const files = existsSync(testDir) ? readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(testDir, f)) : [];
      if (files.length === 0) {
        io.err(`no tests in ${testDir} (files named *.test.ts)`);
        return EXIT.noInput;
      }
      // Without the outer runner's context, so this works inside another node:test run too.
      const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;
      const r = spawnSync(process.execPath, ['--test', ...files], { cwd: dir, encoding: 'utf8', env });
      if (r.stdout) io.out(r.stdout.trimEnd());
      if (r.stderr) io.err(r.stderr.trimEnd());
      return r.status === 0 ? EXIT.ok : EXIT.failed;
    },
  },
  pack: { usage: 'townes plugin pack [folder] [--out <dir>]', summary: 'make the npm-style tarball of a built plugin and print its integrity', run: pack },
  keygen: { usage: 'townes plugin keygen [--out <dir>]', summary: 'create an Ed25519 publisher key pair', run: keygen },
  sign: { usage: 'townes plugin sign <tarball> --key <private.pem>', summary: 'sign a tarball as its publisher (writes <tarball>.sig.json)', run: sign },
  verify: {
    usage: 'townes plugin verify <tarball> --trust <trust.json> [--sig <file>]',
    summary: 'check integrity, archive safety and signatures against a trust store',
    run: verify,
  },
  publish: {
    usage: 'townes plugin publish <tarball | folder> --registry <url> [--token <token>] [--sig <file> | --key <private.pem>]',
    summary: 'publish a signed tarball (or pack and sign a built folder with --key) to a registry; the token may come from TOWNES_REGISTRY_TOKEN',
    details: [
      'With a tarball, the publisher signature comes from <tarball>.sig.json (townes plugin sign), or --sig <file>, or is made',
      'on the spot with --key. With a built plugin folder, it is packed and signed with --key. After a publish, the registry\'s',
      'signature is added to the .sig.json, so townes plugin verify checks both. Publishing the same tarball again changes nothing;',
      'another tarball under a published version is refused (versions are immutable).',
      '',
      'Options:',
      '  --registry <url>   the registry (or TOWNES_REGISTRY_URL): http://127.0.0.1:4873, https://host/v1/registry',
      '  --token <token>    your publish token (or TOWNES_REGISTRY_TOKEN), issued by the registry operator for your scope',
      '',
      'Exit codes: 0 published (or already there), 1 refused by the registry, 64 usage, 65 invalid tarball or signature file,',
      '66 missing file, 69 registry unreachable, 77 token or key refused (401/403).',
    ].join('\n'),
    run: publish,
  },
  dev: {
    usage: "townes plugin dev [folder] [--config '<json>']",
    summary: 'run the plugin in the sandbox against a simulated guild; type joins, messages and /commands by hand',
    details: DEV_HELP,
    run: (args, io) => devSession(args, io),
  },
  download: {
    usage: 'townes plugin download <name>@<version> --registry <url> [--out <dir>]',
    summary: 'fetch a published version and both its signatures (<tarball>.sig.json), for townes plugin verify',
    run: download,
  },
};

function help(io: CliIo): number {
  io.out('Usage: townes plugin <command> [options]\n\nCommands:');
  for (const c of Object.values(COMMANDS)) io.out(`  ${c.usage.padEnd(44)} ${c.summary}`);
  io.out('\n`townes plugin <command> --help` shows one command.');
  return EXIT.ok;
}

function usageError(io: CliIo, command: string, message: string): number {
  io.err(`townes plugin ${command}: ${message}\nUsage: ${COMMANDS[command]?.usage ?? ''}`);
  return EXIT.usage;
}

/** `townes plugin …`: the author's commands. Returns the process exit code. */
export async function runPluginCli(args: string[], io: DevIo): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io);
  const command = COMMANDS[name];
  if (!command) {
    io.err(`townes plugin: unknown command "${name}"`);
    help(io);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}\n\n${command.summary}${command.details ? `\n\n${command.details}` : ''}`);
    return EXIT.ok;
  }
  return command.run(rest, io);
}
