import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSandboxHosts } from '@townesdev/kernel';
import { ConfigError, DEFAULTS, describeConfig, loadConfig } from '../config.ts';

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(
      { ...config },
      {
        nodeEnv: 'development',
        logLevel: 'info',
        databaseUrl: 'postgresql://postgres@127.0.0.1:5432/townes',
        redisUrl: 'redis://127.0.0.1:6379',
        redisPrefix: 'townes:',
        discordToken: undefined,
        discordApiBase: 'https://discord.com/api',
        sandboxHosts: DEFAULTS.SANDBOX_HOSTS,
        sandboxMode: 'process',
        registryHost: '127.0.0.1',
        registryPort: 4873,
        registryDataDir: '.townes/registry',
        registryTrustStore: undefined,
        apiHost: '127.0.0.1',
        apiPort: 3000,
        discordClientId: undefined,
        discordClientSecret: undefined,
        oauthRedirectUri: 'http://localhost:5173/auth/callback',
        webOrigins: ['http://localhost:5173'],
        sessionTtlHours: 168,
        cookieSecure: false,
        runnerToken: undefined,
        rateLimitPerMinute: 300,
        apiUrl: 'http://127.0.0.1:3000',
        registryUrl: 'http://127.0.0.1:3000/v1/registry',
        runnerTrustStore: undefined,
        runnerCacheDir: '.townes/plugins',
        runnerShards: undefined,
        runnerHealthPort: 3100,
      },
    );
    assert.ok(Object.isFrozen(config));
  });

  test('empty strings count as unset', () => {
    const config = loadConfig({ LOG_LEVEL: '', SANDBOX_HOSTS: ' ', DISCORD_TOKEN: '', DATABASE_URL: '' });
    assert.equal(config.logLevel, 'info');
    assert.equal(config.sandboxHosts, DEFAULTS.SANDBOX_HOSTS);
    assert.equal(DEFAULTS.SANDBOX_HOSTS, defaultSandboxHosts(), 'the default follows the cores (ADR 009)');
    assert.equal(config.discordToken, undefined);
    assert.equal(config.databaseUrl, DEFAULTS.DATABASE_URL);
  });

  test('valid values are taken, enums case-insensitively', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'DEBUG',
      DATABASE_URL: 'postgres://app:pw@db.internal:5433/townes_prod',
      REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
      DISCORD_TOKEN: 'MTEx.Gabc.def-ghi_jkl',
      DISCORD_API_BASE: 'http://127.0.0.1:4010/api/',
      SANDBOX_HOSTS: '16',
      SANDBOX_MODE: 'process',
    });
    assert.equal(config.nodeEnv, 'production');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.databaseUrl, 'postgres://app:pw@db.internal:5433/townes_prod');
    assert.equal(config.redisUrl, 'rediss://:pw@cache.internal:6380/2');
    assert.equal(config.discordToken, 'MTEx.Gabc.def-ghi_jkl');
    assert.equal(config.discordApiBase, 'http://127.0.0.1:4010/api', 'trailing slash dropped');
    assert.equal(config.sandboxHosts, 16);
    assert.equal(config.sandboxMode, 'process');
  });

  test('SANDBOX_HOSTS=0 is the in-process development mode', () => {
    const config = loadConfig({ SANDBOX_HOSTS: '0' });
    assert.equal(config.sandboxMode, 'inprocess');
    assert.equal(config.sandboxHosts, 0);
  });

  test('SANDBOX_MODE=inprocess alone needs no host processes', () => {
    const config = loadConfig({ SANDBOX_MODE: 'inprocess' });
    assert.equal(config.sandboxMode, 'inprocess');
    assert.equal(config.sandboxHosts, 0);
  });

  test('the example from the docs reads exactly as documented', () => {
    const error = configError({ SANDBOX_HOSTS: 'abc' });
    assert.match(
      error.message,
      /SANDBOX_HOSTS="abc": expected an integer from 0 to 16; set SANDBOX_HOSTS=2 or leave it unset/,
    );
  });

  const invalid: Array<[variable: string, value: string, problem: RegExp]> = [
    ['NODE_ENV', 'staging', /expected one of development, test, production/],
    ['LOG_LEVEL', 'loud', /expected one of fatal, error, warn, info, debug, trace, silent/],
    ['DATABASE_URL', 'mysql://root@127.0.0.1/townes', /postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /postgresql:\/\//],
    ['REDIS_URL', 'http://127.0.0.1:6379', /redis:\/\//],
    ['DISCORD_TOKEN', 'Bot MTEx.abc.def', /starts with "Bot "/],
    ['DISCORD_TOKEN', 'MTEx abc', /whitespace/],
    ['DISCORD_API_BASE', 'discord.com/api', /https:\/\//],
    ['SANDBOX_HOSTS', 'abc', /expected an integer from 0 to 16/],
    ['SANDBOX_HOSTS', '17', /expected an integer from 0 to 16/],
    ['SANDBOX_HOSTS', '-1', /expected an integer from 0 to 16/],
    ['SANDBOX_HOSTS', '1.5', /expected an integer from 0 to 16/],
    ['SANDBOX_MODE', 'docker', /expected one of process, inprocess/],
  ];
  for (const [variable, value, problem] of invalid) {
    test(`${variable}=${JSON.stringify(value)} is rejected, naming ${variable} and a fix`, () => {
      const error = configError({ [variable]: value });
      assert.equal(error.issues.length, 1);
      const [issue] = error.issues;
      assert.equal(issue!.variable, variable);
      assert.match(issue!.problem, problem);
      assert.match(issue!.fix, new RegExp(variable), 'the fix names the variable');
      assert.match(error.message, new RegExp(`^  ${variable}[=(]`, 'm'), 'the message names the variable');
      assert.match(error.message, problem);
    });
  }

  test('the API variables: ports, origins, secrets and cookie security', () => {
    const config = loadConfig({ API_PORT: '8080', WEB_ORIGINS: 'https://app.townes.dev, https://admin.townes.dev', NODE_ENV: 'production', RUNNER_TOKEN: 'r'.repeat(32), DISCORD_CLIENT_ID: '123456789012345678' });
    assert.equal(config.apiPort, 8080);
    assert.deepEqual(config.webOrigins, ['https://app.townes.dev', 'https://admin.townes.dev']);
    assert.equal(config.cookieSecure, true, 'production cookies are Secure by default');
    assert.equal(loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }).cookieSecure, false);
    for (const [variable, value] of [['API_PORT', '70000'], ['WEB_ORIGINS', 'https://app.townes.dev/path'], ['RUNNER_TOKEN', 'short'], ['DISCORD_CLIENT_ID', 'abc'], ['SESSION_TTL_HOURS', '0'], ['COOKIE_SECURE', 'maybe']] as const) {
      const error = configError({ [variable]: value });
      assert.equal(error.issues[0]!.variable, variable);
    }
    assert.doesNotMatch(configError({ RUNNER_TOKEN: 'short-secret' }).message, /short-secret/, 'the runner token is never shown');
  });

  test('the runner variables: API and registry URLs, shard layout, health port', () => {
    const config = loadConfig({ API_URL: 'https://api.townes.dev/', RUNNER_SHARDS: '0-1,3/4', RUNNER_HEALTH_PORT: '9100' });
    assert.equal(config.apiUrl, 'https://api.townes.dev');
    assert.equal(config.registryUrl, 'https://api.townes.dev/v1/registry', 'the registry defaults to the one in the API');
    assert.equal(loadConfig({ REGISTRY_URL: 'https://registry.townes.dev' }).registryUrl, 'https://registry.townes.dev');
    assert.deepEqual(config.runnerShards, { ids: [0, 1, 3], count: 4 });
    assert.equal(config.runnerHealthPort, 9100);
    for (const [variable, value] of [['API_URL', 'api.townes.dev'], ['RUNNER_SHARDS', '0-1'], ['RUNNER_SHARDS', '4/4'], ['RUNNER_SHARDS', '0/0'], ['RUNNER_HEALTH_PORT', '0']] as const) {
      const error = configError({ [variable]: value });
      assert.equal(error.issues[0]!.variable, variable, `${variable}=${value}`);
    }
    assert.match(configError({ RUNNER_SHARDS: '4/4' }).message, /shard 4 does not exist with 4 shards/);
  });

  test('every bad variable is reported at once', () => {
    const error = configError({ NODE_ENV: 'x', LOG_LEVEL: 'y', SANDBOX_HOSTS: 'z', REDIS_URL: 'w' });
    assert.deepEqual(error.issues.map((i) => i.variable).sort(), ['LOG_LEVEL', 'NODE_ENV', 'REDIS_URL', 'SANDBOX_HOSTS']);
    assert.match(error.message, /4 problems/);
  });

  test('SANDBOX_MODE and SANDBOX_HOSTS must agree', () => {
    const processWithNoHosts = configError({ SANDBOX_MODE: 'process', SANDBOX_HOSTS: '0' });
    assert.equal(processWithNoHosts.issues[0]!.variable, 'SANDBOX_HOSTS');
    assert.match(processWithNoHosts.issues[0]!.fix, /SANDBOX_MODE=inprocess/);

    const inprocessWithHosts = configError({ SANDBOX_MODE: 'inprocess', SANDBOX_HOSTS: '4' });
    assert.equal(inprocessWithHosts.issues[0]!.variable, 'SANDBOX_HOSTS');
    assert.match(inprocessWithHosts.issues[0]!.fix, /SANDBOX_HOSTS=0/);
  });

  test('secrets never appear in error messages', () => {
    const token = 'Bot MTEx.super-secret-token';
    const tokenError = configError({ DISCORD_TOKEN: token });
    assert.doesNotMatch(tokenError.message, /super-secret-token/);
    assert.match(tokenError.message, /DISCORD_TOKEN=<hidden, \d+ characters>/);

    const urlError = configError({ DATABASE_URL: 'mysql://admin:hunter2@db/townes' });
    assert.doesNotMatch(urlError.message, /hunter2/);
    assert.match(urlError.message, /mysql:\/\/admin:\*\*\*@db\/townes/);
  });

  test('reads process.env by default', () => {
    const saved = process.env.SANDBOX_HOSTS;
    process.env.SANDBOX_HOSTS = '5';
    try {
      assert.equal(loadConfig().sandboxHosts, 5);
    } finally {
      if (saved === undefined) delete process.env.SANDBOX_HOSTS;
      else process.env.SANDBOX_HOSTS = saved;
    }
  });
});

describe('describeConfig', () => {
  test('hides the token and URL passwords', () => {
    const described = describeConfig(
      loadConfig({ DISCORD_TOKEN: 'MTEx.secret', DATABASE_URL: 'postgresql://app:pw@db/townes' }),
    );
    const text = JSON.stringify(described);
    assert.doesNotMatch(text, /MTEx\.secret/);
    assert.doesNotMatch(text, /:pw@/);
    assert.equal(described.discord, 'live (DISCORD_TOKEN set)');
    assert.equal(describeConfig(loadConfig({})).discord, 'simulator (DISCORD_TOKEN unset)');
  });
});
