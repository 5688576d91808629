/**
 * Runtime configuration of the `townes` binary, read from environment variables and validated
 * with zod once at start. Every role (api, runner, worker, start) takes the result of
 * loadConfig(); nothing else in the binary reads process.env for these settings.
 *
 * An empty variable (`FOO=`, as compose files often write) counts as unset.
 * The variables themselves are in config-variables.ts; docs/OPERATIONS.md lists them.
 */
import { z } from 'zod';
import { DEFAULTS, MAX_SANDBOX_HOSTS, VARIABLES, type LogLevel, type NodeEnv, type SandboxMode, type Shown, type VariableName, type VariableSpec } from './config-variables.ts';

export { DEFAULTS, LOG_LEVELS, MAX_SANDBOX_HOSTS, NODE_ENVS, SANDBOX_MODES, VARIABLES } from './config-variables.ts';
export type { LogLevel, NodeEnv, SandboxMode, VariableName } from './config-variables.ts';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly logLevel: LogLevel;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key and channel (queues, notices, rate limits); deployments sharing a Redis use their own. */
  readonly redisPrefix: string;
  /** The bot token. Absent: the platform runs against the built-in Discord simulator. */
  readonly discordToken: string | undefined;
  /** Where the runner and the API reach Discord's REST API (a simulator or proxy may stand there). */
  readonly discordApiBase: string;
  /** Number of sandbox host processes; 0 when sandboxMode is `inprocess`. */
  readonly sandboxHosts: number;
  readonly sandboxMode: SandboxMode;
  /** Where `townes registry` listens. */
  readonly registryHost: string;
  readonly registryPort: number;
  /** The registry's tarballs and countersigning key (generated once, mode 0600). */
  readonly registryDataDir: string;
  /** The publisher keys the registry accepts; unset: `<registryDataDir>/trust.json`. */
  readonly registryTrustStore: string | undefined;
  /** Where the API listens. */
  readonly apiHost: string;
  readonly apiPort: number;
  /** The Discord application's OAuth2 client (absent: only the simulator can log people in). */
  readonly discordClientId: string | undefined;
  readonly discordClientSecret: string | undefined;
  /** Where Discord sends the browser back after consent: the web app's callback page. */
  readonly oauthRedirectUri: string;
  /** Browser origins allowed to call the API with credentials. */
  readonly webOrigins: string[];
  readonly sessionTtlHours: number;
  /** `Secure` cookies; on unless NODE_ENV is development or test (plain-http localhost). */
  readonly cookieSecure: boolean;
  /** The shared secret of runners for the API's /internal/runner routes. */
  readonly runnerToken: string | undefined;
  readonly rateLimitPerMinute: number;
  /** Where runners reach the control plane (its /internal/runner routes). */
  readonly apiUrl: string;
  /** Where runners fetch plugins; unset: the registry mounted in the API, `<apiUrl>/v1/registry`. */
  readonly registryUrl: string;
  /** The runner's trust store (registry and publisher keys it accepts); unset: `<runnerCacheDir>/trust.json`. */
  readonly runnerTrustStore: string | undefined;
  /** The runner's verified plugin cache. */
  readonly runnerCacheDir: string;
  /** This process's shards and the total, from `RUNNER_SHARDS=0-1/4`; unset: every shard Discord recommends. */
  readonly runnerShards: { ids: number[]; count: number } | undefined;
  /** Where the runner serves /healthz, /readyz and /metrics (on 127.0.0.1). */
  readonly runnerHealthPort: number;
}

/** One bad variable: what it held (secrets hidden), what is wrong, and how to fix it. */
export interface ConfigIssue {
  readonly variable: string;
  /** The value as it may be shown: undefined when unset, never a secret in clear. */
  readonly shown: string | undefined;
  readonly problem: string;
  readonly fix: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.variable}${i.shown === undefined ? ' (unset)' : `=${i.shown}`}: ${i.problem}; ${i.fix}`);
    super(
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'} in the environment):\n${lines.join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}


const emptyIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const unsetIfEmpty = <T extends z.ZodType>(inner: T) => z.preprocess(emptyIsUnset, inner);

const schema = z
  .object({
    NODE_ENV: unsetIfEmpty(VARIABLES.NODE_ENV.schema),
    LOG_LEVEL: unsetIfEmpty(VARIABLES.LOG_LEVEL.schema),
    DATABASE_URL: unsetIfEmpty(VARIABLES.DATABASE_URL.schema),
    REDIS_URL: unsetIfEmpty(VARIABLES.REDIS_URL.schema),
    REDIS_PREFIX: unsetIfEmpty(VARIABLES.REDIS_PREFIX.schema),
    DISCORD_TOKEN: unsetIfEmpty(VARIABLES.DISCORD_TOKEN.schema),
    DISCORD_API_BASE: unsetIfEmpty(VARIABLES.DISCORD_API_BASE.schema),
    SANDBOX_HOSTS: unsetIfEmpty(VARIABLES.SANDBOX_HOSTS.schema),
    SANDBOX_MODE: unsetIfEmpty(VARIABLES.SANDBOX_MODE.schema),
    REGISTRY_HOST: unsetIfEmpty(VARIABLES.REGISTRY_HOST.schema),
    REGISTRY_PORT: unsetIfEmpty(VARIABLES.REGISTRY_PORT.schema),
    REGISTRY_DATA_DIR: unsetIfEmpty(VARIABLES.REGISTRY_DATA_DIR.schema),
    REGISTRY_TRUST_STORE: unsetIfEmpty(VARIABLES.REGISTRY_TRUST_STORE.schema),
    API_HOST: unsetIfEmpty(VARIABLES.API_HOST.schema),
    API_PORT: unsetIfEmpty(VARIABLES.API_PORT.schema),
    DISCORD_CLIENT_ID: unsetIfEmpty(VARIABLES.DISCORD_CLIENT_ID.schema),
    DISCORD_CLIENT_SECRET: unsetIfEmpty(VARIABLES.DISCORD_CLIENT_SECRET.schema),
    OAUTH_REDIRECT_URI: unsetIfEmpty(VARIABLES.OAUTH_REDIRECT_URI.schema),
    WEB_ORIGINS: unsetIfEmpty(VARIABLES.WEB_ORIGINS.schema),
    SESSION_TTL_HOURS: unsetIfEmpty(VARIABLES.SESSION_TTL_HOURS.schema),
    COOKIE_SECURE: unsetIfEmpty(VARIABLES.COOKIE_SECURE.schema),
    RUNNER_TOKEN: unsetIfEmpty(VARIABLES.RUNNER_TOKEN.schema),
    RATE_LIMIT_PER_MINUTE: unsetIfEmpty(VARIABLES.RATE_LIMIT_PER_MINUTE.schema),
    API_URL: unsetIfEmpty(VARIABLES.API_URL.schema),
    REGISTRY_URL: unsetIfEmpty(VARIABLES.REGISTRY_URL.schema),
    RUNNER_TRUST_STORE: unsetIfEmpty(VARIABLES.RUNNER_TRUST_STORE.schema),
    RUNNER_CACHE_DIR: unsetIfEmpty(VARIABLES.RUNNER_CACHE_DIR.schema),
    RUNNER_SHARDS: unsetIfEmpty(VARIABLES.RUNNER_SHARDS.schema),
    RUNNER_HEALTH_PORT: unsetIfEmpty(VARIABLES.RUNNER_HEALTH_PORT.schema),
  } satisfies Record<VariableName, z.ZodType>)
  .superRefine((env, ctx) => {
    // SANDBOX_HOSTS=0 is the in-process development mode; the two variables must agree.
    if (env.SANDBOX_MODE === 'process' && env.SANDBOX_HOSTS === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SANDBOX_HOSTS'],
        message: 'is 0, which means in-process mode, but SANDBOX_MODE=process asks for sandbox host processes',
        params: { fix: `set SANDBOX_HOSTS to 1-${MAX_SANDBOX_HOSTS}, or SANDBOX_MODE=inprocess for development` },
      });
    }
    if (env.SANDBOX_MODE === 'inprocess' && env.SANDBOX_HOSTS !== undefined && env.SANDBOX_HOSTS > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SANDBOX_HOSTS'],
        message: 'asks for sandbox host processes, but SANDBOX_MODE=inprocess runs plugins in the main process',
        params: { fix: 'set SANDBOX_HOSTS=0 or leave it unset, or set SANDBOX_MODE=process' },
      });
    }
  });

/** The value as it may appear in a message: never a secret, never a URL's password. */
function show(kind: Shown, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (kind === 'secret') return `<hidden, ${raw.length} characters>`;
  let text = raw;
  if (kind === 'url') text = text.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/, '$1***@');
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return JSON.stringify(text);
}

/**
 * Reads and validates the configuration. Throws a ConfigError naming every bad variable,
 * what is wrong with it and how to fix it.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw = Object.fromEntries(Object.keys(VARIABLES).map((k) => [k, env[k]]));
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues: ConfigIssue[] = [];
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? 'environment') as VariableName;
      const spec: VariableSpec | undefined = VARIABLES[variable];
      // One problem per variable is enough to fix it.
      if (seen.has(variable)) continue;
      seen.add(variable);
      const customFix = issue.code === 'custom' ? (issue.params as { fix?: string } | undefined)?.fix : undefined;
      const value = emptyIsUnset(env[variable]) as string | undefined;
      issues.push({
        variable,
        shown: spec ? show(spec.shown, value) : undefined,
        problem: issue.message,
        fix: customFix ?? spec?.fix ?? 'correct it',
      });
    }
    throw new ConfigError(issues);
  }

  const e = result.data;
  const sandboxMode: SandboxMode = e.SANDBOX_MODE ?? (e.SANDBOX_HOSTS === 0 ? 'inprocess' : 'process');
  const sandboxHosts = sandboxMode === 'inprocess' ? 0 : (e.SANDBOX_HOSTS ?? DEFAULTS.SANDBOX_HOSTS);
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    discordToken: e.DISCORD_TOKEN,
    discordApiBase: e.DISCORD_API_BASE,
    sandboxHosts,
    sandboxMode,
    registryHost: e.REGISTRY_HOST,
    registryPort: e.REGISTRY_PORT ?? DEFAULTS.REGISTRY_PORT,
    registryDataDir: e.REGISTRY_DATA_DIR,
    registryTrustStore: e.REGISTRY_TRUST_STORE,
    apiHost: e.API_HOST,
    apiPort: e.API_PORT ?? DEFAULTS.API_PORT,
    discordClientId: e.DISCORD_CLIENT_ID,
    discordClientSecret: e.DISCORD_CLIENT_SECRET,
    oauthRedirectUri: e.OAUTH_REDIRECT_URI,
    webOrigins: e.WEB_ORIGINS,
    sessionTtlHours: e.SESSION_TTL_HOURS ?? DEFAULTS.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE === undefined ? e.NODE_ENV === 'production' : e.COOKIE_SECURE === 'true',
    runnerToken: e.RUNNER_TOKEN,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? DEFAULTS.RATE_LIMIT_PER_MINUTE,
    apiUrl: e.API_URL,
    registryUrl: e.REGISTRY_URL ?? `${e.API_URL}/v1/registry`,
    runnerTrustStore: e.RUNNER_TRUST_STORE,
    runnerCacheDir: e.RUNNER_CACHE_DIR,
    runnerShards: e.RUNNER_SHARDS,
    runnerHealthPort: e.RUNNER_HEALTH_PORT ?? DEFAULTS.RUNNER_HEALTH_PORT,
  });
}

/** The configuration as it may be logged: the token hidden, URL passwords masked. */
export function describeConfig(config: Config): Record<string, string | number> {
  const mask = (url: string) => url.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/, '$1***@');
  return {
    nodeEnv: config.nodeEnv,
    logLevel: config.logLevel,
    databaseUrl: mask(config.databaseUrl),
    redisUrl: mask(config.redisUrl),
    discord: config.discordToken === undefined ? 'simulator (DISCORD_TOKEN unset)' : 'live (DISCORD_TOKEN set)',
    discordApiBase: config.discordApiBase,
    sandboxMode: config.sandboxMode,
    sandboxHosts: config.sandboxHosts,
  };
}
