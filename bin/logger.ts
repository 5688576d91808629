/**
 * The root pino logger of the `townes` binary: JSON lines on stdout, one object per line,
 * with `service`, `pid` and `hostname` on every line and common secrets redacted.
 * Roles and modules take child loggers from it (`logger.child({ role: 'runner' })`,
 * `{ guildId, plugin }`, `{ requestId, tenantId }`).
 */
import { hostname } from 'node:os';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export const SERVICE_NAME = 'townes';

/** Keys that hold secrets, wherever they appear up to a few levels deep. */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'discordToken',
  'botToken',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'licenseKey',
  'signingKey',
  'privateKey',
  'webhookSecret',
];

/** Paths redacted from every log line (pino's redact syntax). */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  // HTTP requests and responses as serialized by pino / Fastify.
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Shown as `service` on every line; defaults to `townes`. */
  service?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  // Default destination: pino's synchronous stdout, so a line logged just before a crash or
  // process.exit() is not lost.
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service ?? SERVICE_NAME, pid: process.pid, hostname: hostname() },
      timestamp: stdTimeFunctions.isoTime,
      formatters: {
        // "level":"info" rather than 30: readable as is, and what log tools expect.
        level: (label) => ({ level: label }),
      },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    options.destination ?? pino.destination(1),
  );
}
