#!/usr/bin/env node
// The `townes` binary: one executable, one subcommand per role.
import { runPluginCli } from '@townesdev/sdk/cli';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { ServiceUnavailableError, checkPostgres, checkRedis } from './service-check.ts';
import { api } from './api.ts';
import { migrate } from './migrate.ts';
import { registry } from './registry.ts';
import { runner } from './runner.ts';
import { simulator } from './simulator.ts';
import { start } from './start.ts';

const USAGE = `Usage: townes <command>

Commands:
  start [--once]   Run everything that exists in one process (today: the plugin kernel with the
                   built-in plugins and a demo guild). --once exits after the demo.
  api              Serve the control-plane HTTP API (with the registry under /v1/registry) on
                   API_HOST:API_PORT.
  migrate <action> Database migrations of the kernel, registry and API: up, down [--of owner],
                   status.
  plugin <cmd>     The plugin author's commands (init, build, test); \`townes plugin help\`.
  registry [cmd]   Serve the plugin registry on REGISTRY_PORT; publish tokens and its key;
                   \`townes registry help\`.
  runner           Run the Discord runner: desired state from API_URL, plugins from the registry,
                   shards (all, or RUNNER_SHARDS), health on RUNNER_HEALTH_PORT.
  simulator        Run the Discord simulator (REST, OAuth2, gateway) with a demo guild until
                   Ctrl+C; prints its URL and the env line to point a runner/API at it.
  help             Show this help.

Configuration comes from environment variables; see docs/OPERATIONS.md.`;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'plugin') {
    // The author's tools need no platform configuration.
    return runPluginCli(args, { out: (l) => console.log(l), err: (l) => console.error(l), cwd: process.cwd() });
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    return await role(command, args, config, logger);
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    console.error(`townes ${command}: ${error.message}`);
    return 69; // EX_UNAVAILABLE
  }
}

/** The services each role needs before it starts (checked first, for a clear error). */
const NEEDS: Record<string, Array<'postgres' | 'redis'>> = {
  start: ['postgres', 'redis'],
  api: ['postgres', 'redis'],
  runner: ['postgres', 'redis'],
  migrate: ['postgres'],
};

async function role(command: string, args: string[], config: Config, logger: Logger): Promise<number> {
  const needs = args.includes('--help') || args[0] === 'help' ? [] : (NEEDS[command] ?? []);
  if (needs.includes('postgres')) await checkPostgres(config.databaseUrl);
  if (needs.includes('redis')) await checkRedis(config.redisUrl);
  switch (command) {
    case 'start':
      await start(config, logger.child({ role: 'start' }), args, (line) => console.log(line));
      return 0;
    case 'api':
      return api(config, logger.child({ role: 'api' }), (line) => console.log(line), (line) => console.error(line));
    case 'migrate':
      return migrate(config, args, (line) => console.log(line), (line) => console.error(line));
    case 'registry':
      return registry(config, logger.child({ role: 'registry' }), args, (line) => console.log(line), (line) => console.error(line));
    case 'runner':
      return runner(config, logger.child({ role: 'runner' }), (line) => console.log(line), (line) => console.error(line));
    case 'simulator':
      return simulator(config, logger.child({ role: 'simulator' }), args, (line) => console.log(line), (line) => console.error(line));
    default:
      console.error(`townes: unknown command "${command}"\n\n${USAGE}`);
      return 64; // EX_USAGE
  }
}

process.exitCode = await main(process.argv.slice(2));
