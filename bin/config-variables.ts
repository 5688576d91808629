/**
 * The environment variables the `townes` binary reads: each with its zod schema, how its value may
 * be shown in an error (never a secret), and the fix to print when it is wrong. docs/OPERATIONS.md
 * lists them; keep it in step. loadConfig (config.ts) validates them all at once.
 */
import { z } from 'zod';
import { MAX_DEFAULT_SANDBOX_HOSTS, defaultSandboxHosts, parseShardList } from '@townesdev/kernel';

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
  /** One per core beside the runner's own, 1 to MAX_DEFAULT_SANDBOX_HOSTS (kernel/src/sandbox/host-count.ts). */
  SANDBOX_HOSTS: defaultSandboxHosts(),
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

export type Shown = 'plain' | 'url' | 'secret';

export interface VariableSpec {
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
    fix: `set SANDBOX_HOSTS=2 or leave it unset for one host per core beside the runner's (1 to ${MAX_DEFAULT_SANDBOX_HOSTS})`,
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
