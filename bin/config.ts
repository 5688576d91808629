/**
 * Runtime configuration of the `townes` binary, read from environment variables and validated
 * with zod once at start. Every role (api, runner, worker, start) takes the result of
 * loadConfig(); nothing else in the binary reads process.env for these settings.
 *
 * An empty variable (`FOO=`, as compose files often write) counts as unset.
 * docs/OPERATIONS.md lists the variables; keep it in step with VARIABLES below.
 */
import { z } from 'zod';
import { parseShardList } from '@townesdev/kernel';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `process`: plugins' isolates run in sandbox host child processes that the runner supervises
 * (isolated-vm's own advice: a V8 crash or hang then cannot take the runner down).
 * `inprocess`: isolates run inside the runner's own process; for development only.
 */
export const SANDBOX_MODES = ['process', 'inprocess'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export const MAX_SANDBOX_HOSTS = 16;

export const DEFAULTS = Object.freeze({
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/townes',
  REDIS_URL: 'redis://127.0.0.1:6379',
  DISCORD_API_BASE: 'https://discord.com/api',
  SANDBOX_HOSTS: 2,
  SANDBOX_MODE: 'process',
  REGISTRY_HOST: '127.0.0.1',
  REGISTRY_PORT: 4873,
  REGISTRY_DATA_DIR: '.townes/registry',
  API_HOST: '127.0.0.1',
  API_PORT: 3000,
  OAUTH_REDIRECT_URI: 'http://localhost:5173/auth/callback',
  WEB_ORIGINS: 'http://localhost:5173',
  SESSION_TTL_HOURS: 168,
  RATE_LIMIT_PER_MINUTE: 300,
  API_URL: 'http://127.0.0.1:3000',
  REDIS_PREFIX: 'townes:',
  RUNNER_CACHE_DIR: '.townes/plugins',
  RUNNER_HEALTH_PORT: 3100,
} as const);

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

type Shown = 'plain' | 'url' | 'secret';

interface VariableSpec {
  readonly schema: z.ZodType;
  /** How its value may appear in an error message. */
  readonly shown: Shown;
  /** The default fix, when zod's message alone says what is wrong. */
  readonly fix: string;
}

const oneOf = (values: readonly string[]) => `expected one of ${values.join(', ')}`;

/** Lowercases and trims, so `LOG_LEVEL=INFO ` works. */
const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(values, { error: oneOf(values) }));

const urlWith = (protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      },
      { error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, such as ${example}` },
    );

/** A whole number in [min, max], from its decimal text. */
const integerIn = (min: number, max: number) => {
  const problem = `expected an integer from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^[0-9]{1,10}$/, { error: problem })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: problem }).max(max, { error: problem }));
};

const SANDBOX_HOSTS_PROBLEM = `expected an integer from 0 to ${MAX_SANDBOX_HOSTS}`;

export const VARIABLES = {
  NODE_ENV: {
    schema: enumOf(NODE_ENVS).default(DEFAULTS.NODE_ENV),
    shown: 'plain',
    fix: `set NODE_ENV=production (or development, test) or leave it unset for ${DEFAULTS.NODE_ENV}`,
  },
  LOG_LEVEL: {
    schema: enumOf(LOG_LEVELS).default(DEFAULTS.LOG_LEVEL),
    shown: 'plain',
    fix: `set LOG_LEVEL=${DEFAULTS.LOG_LEVEL} (or debug, warn, ...) or leave it unset`,
  },
  DATABASE_URL: {
    schema: urlWith(['postgresql:', 'postgres:'], 'postgresql://USER:PASSWORD@HOST:5432/DATABASE').default(
      DEFAULTS.DATABASE_URL,
    ),
    shown: 'url',
    fix: `correct the URL, or leave DATABASE_URL unset for ${DEFAULTS.DATABASE_URL}`,
  },
  REDIS_URL: {
    schema: urlWith(['redis:', 'rediss:'], 'redis://HOST:6379').default(DEFAULTS.REDIS_URL),
    shown: 'url',
    fix: `correct the URL, or leave REDIS_URL unset for ${DEFAULTS.REDIS_URL}`,
  },
  REDIS_PREFIX: {
    schema: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'expected 1-64 letters, digits, _ . : or -, such as townes:' }).default(DEFAULTS.REDIS_PREFIX),
    shown: 'plain',
    fix: `set REDIS_PREFIX to a short prefix such as townes-staging: (deployments sharing one Redis need different ones), or leave it unset for ${DEFAULTS.REDIS_PREFIX}`,
  },
  DISCORD_TOKEN: {
    schema: z
      .string()
      .trim()
      .refine((s) => !/^bot\s/i.test(s), { error: 'starts with "Bot ", which the platform adds itself' })
      .refine((s) => !/\s/.test(s), { error: 'contains whitespace, so it is not a bot token' })
      .optional(),
    shown: 'secret',
    fix: 'set DISCORD_TOKEN to the bare bot token from the Discord developer portal, or leave it unset to run against the built-in simulator',
  },
  DISCORD_API_BASE: {
    schema: urlWith(['https:', 'http:'], DEFAULTS.DISCORD_API_BASE)
      .transform((s) => s.replace(/\/+$/, ''))
      .default(DEFAULTS.DISCORD_API_BASE),
    shown: 'url',
    fix: `leave DISCORD_API_BASE unset for ${DEFAULTS.DISCORD_API_BASE}, or point it at a simulator such as http://127.0.0.1:PORT/api`,
  },
  SANDBOX_HOSTS: {
    schema: z
      .string()
      .trim()
      .regex(/^[0-9]{1,3}$/, { error: SANDBOX_HOSTS_PROBLEM })
      .transform(Number)
      .pipe(z.number().int().min(0, { error: SANDBOX_HOSTS_PROBLEM }).max(MAX_SANDBOX_HOSTS, { error: SANDBOX_HOSTS_PROBLEM }))
      .optional(),
    shown: 'plain',
    fix: `set SANDBOX_HOSTS=${DEFAULTS.SANDBOX_HOSTS} or leave it unset`,
  },
  SANDBOX_MODE: {
    schema: enumOf(SANDBOX_MODES).optional(),
    shown: 'plain',
    fix: `set SANDBOX_MODE=${DEFAULTS.SANDBOX_MODE} or leave it unset`,
  },
  REGISTRY_HOST: {
    schema: z.string().trim().regex(/^[A-Za-z0-9.:_-]{1,253}$/, { error: 'expected a host name or IP address, such as 127.0.0.1 or 0.0.0.0' }).default(DEFAULTS.REGISTRY_HOST),
    shown: 'plain',
    fix: `set REGISTRY_HOST=0.0.0.0 to listen on every interface, or leave it unset for ${DEFAULTS.REGISTRY_HOST}`,
  },
  REGISTRY_PORT: {
    schema: z
      .string()
      .trim()
      .regex(/^[0-9]{1,5}$/, { error: 'expected a port number from 1 to 65535' })
      .transform(Number)
      .pipe(z.number().int().min(1, { error: 'expected a port number from 1 to 65535' }).max(65535, { error: 'expected a port number from 1 to 65535' }))
      .optional(),
    shown: 'plain',
    fix: `set REGISTRY_PORT=${DEFAULTS.REGISTRY_PORT} or leave it unset`,
  },
  REGISTRY_DATA_DIR: {
    schema: z.string().trim().min(1).default(DEFAULTS.REGISTRY_DATA_DIR),
    shown: 'plain',
    fix: `set REGISTRY_DATA_DIR to a folder the registry may write, or leave it unset for ${DEFAULTS.REGISTRY_DATA_DIR}`,
  },
  REGISTRY_TRUST_STORE: {
    schema: z.string().trim().min(1).optional(),
    shown: 'plain',
    fix: 'set REGISTRY_TRUST_STORE to the path of the trust store (JSON) listing the publisher keys the registry accepts, or leave it unset',
  },
  API_HOST: {
    schema: z.string().trim().regex(/^[A-Za-z0-9.:_-]{1,253}$/, { error: 'expected a host name or IP address, such as 127.0.0.1 or 0.0.0.0' }).default(DEFAULTS.API_HOST),
    shown: 'plain',
    fix: `set API_HOST=0.0.0.0 to listen on every interface, or leave it unset for ${DEFAULTS.API_HOST}`,
  },
  API_PORT: {
    schema: integerIn(1, 65535).optional(),
    shown: 'plain',
    fix: `set API_PORT=${DEFAULTS.API_PORT} or leave it unset`,
  },
  DISCORD_CLIENT_ID: {
    schema: z.string().trim().regex(/^\d{15,21}$/, { error: 'expected the application id (a snowflake of digits)' }).optional(),
    shown: 'plain',
    fix: 'set DISCORD_CLIENT_ID to the application id from the Discord developer portal (OAuth2 page)',
  },
  DISCORD_CLIENT_SECRET: {
    schema: z.string().trim().min(8, { error: 'is too short to be a client secret' }).optional(),
    shown: 'secret',
    fix: 'set DISCORD_CLIENT_SECRET to the client secret from the Discord developer portal (OAuth2 page)',
  },
  OAUTH_REDIRECT_URI: {
    schema: urlWith(['https:', 'http:'], DEFAULTS.OAUTH_REDIRECT_URI).default(DEFAULTS.OAUTH_REDIRECT_URI),
    shown: 'url',
    fix: "set OAUTH_REDIRECT_URI to the web app's OAuth callback page, registered as a redirect in the Discord developer portal",
  },
  WEB_ORIGINS: {
    schema: z
      .string()
      .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, { error: 'expected origins such as https://app.example.com (scheme and host, no path), comma-separated' })).min(1))
      .default([DEFAULTS.WEB_ORIGINS]),
    shown: 'plain',
    fix: `set WEB_ORIGINS to the web app's origin(s), comma-separated, or leave it unset for ${DEFAULTS.WEB_ORIGINS}`,
  },
  SESSION_TTL_HOURS: {
    schema: integerIn(1, 24 * 90).optional(),
    shown: 'plain',
    fix: `set SESSION_TTL_HOURS=${DEFAULTS.SESSION_TTL_HOURS} (1 to 2160) or leave it unset`,
  },
  COOKIE_SECURE: {
    schema: enumOf(['true', 'false'] as const).optional(),
    shown: 'plain',
    fix: 'set COOKIE_SECURE=true (or false only for plain-http local development), or leave it unset',
  },
  RUNNER_TOKEN: {
    schema: z.string().trim().min(24, { error: 'is shorter than 24 characters; use a long random secret' }).optional(),
    shown: 'secret',
    fix: 'set RUNNER_TOKEN to a long random secret (openssl rand -hex 32), the same on the API and its runners',
  },
  RATE_LIMIT_PER_MINUTE: {
    schema: integerIn(1, 1_000_000).optional(),
    shown: 'plain',
    fix: `set RATE_LIMIT_PER_MINUTE=${DEFAULTS.RATE_LIMIT_PER_MINUTE} or leave it unset`,
  },
  API_URL: {
    schema: urlWith(['https:', 'http:'], DEFAULTS.API_URL).transform((s) => s.replace(/\/+$/, '')).default(DEFAULTS.API_URL),
    shown: 'url',
    fix: `set API_URL to the control plane's base URL (runners call its /internal/runner routes), or leave it unset for ${DEFAULTS.API_URL}`,
  },
  REGISTRY_URL: {
    schema: urlWith(['https:', 'http:'], 'http://127.0.0.1:3000/v1/registry').transform((s) => s.replace(/\/+$/, '')).optional(),
    shown: 'url',
    fix: 'set REGISTRY_URL to the registry runners download plugins from, or leave it unset for the one in the API (API_URL/v1/registry)',
  },
  RUNNER_TRUST_STORE: {
    schema: z.string().trim().min(1).optional(),
    shown: 'plain',
    fix: "set RUNNER_TRUST_STORE to the path of the runner's trust store (JSON with registryKeys and publishers, see registry/SIGNING.md)",
  },
  RUNNER_CACHE_DIR: {
    schema: z.string().trim().min(1).default(DEFAULTS.RUNNER_CACHE_DIR),
    shown: 'plain',
    fix: `set RUNNER_CACHE_DIR to a folder the runner may write, or leave it unset for ${DEFAULTS.RUNNER_CACHE_DIR}`,
  },
  RUNNER_SHARDS: {
    schema: z
      .string()
      .trim()
      .regex(/^[0-9,-]+\/[0-9]{1,4}$/, { error: 'expected shard ids and the total, such as 0-1/4 (shards 0 and 1 of 4) or 0,2/4' })
      .transform((s, ctx) => {
        const [list = '', total = ''] = s.split('/');
        const count = Number(total);
        try {
          if (count < 1) throw new Error('the total must be at least 1');
          return { ids: parseShardList(list, count), count };
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    shown: 'plain',
    fix: 'set RUNNER_SHARDS to the shards of this process and the total, such as 0-1/4, or leave it unset to run every shard in this process',
  },
  RUNNER_HEALTH_PORT: {
    schema: integerIn(1, 65535).optional(),
    shown: 'plain',
    fix: `set RUNNER_HEALTH_PORT=${DEFAULTS.RUNNER_HEALTH_PORT} or leave it unset`,
  },
} satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

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
