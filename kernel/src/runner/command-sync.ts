import { createHash } from 'node:crypto';
import type { SlashCommand } from '@townesdev/plugin-contract';
import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { guildCommandsBody } from './discord-commands.ts';

export interface CommandSyncOptions {
  /** What was last registered per guild lives here, so a restart re-registers nothing unchanged. */
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Changes within this window are sent as one overwrite. Default 500 ms. */
  debounceMs?: number;
}

/**
 * Keeps each guild's slash commands on Discord equal to what its enabled plugins provide: one bulk
 * overwrite (`PUT /applications/:app/guilds/:guild/commands`) per guild, for that guild only,
 * debounced (enabling two plugins at once is one request), and only when the set differs from the
 * one last registered (a digest kept in Redis). Discord limits command writes per guild per day;
 * a restart or a config change must not spend them.
 *
 * Nothing is sent before `connect` (the gateway's READY carries the application id).
 */
export class CommandSync {
  readonly #options: CommandSyncOptions;
  readonly #debounceMs: number;
  readonly #pending = new Map<string, SlashCommand[]>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** The overwrite in flight per guild: a newer one waits for it, so Discord ends with the newest set. */
  readonly #running = new Map<string, Promise<void>>();
  #applicationId: string | null = null;
  #rest: Pick<REST, 'put'> | null = null;
  #closed = false;
  /** Overwrites sent (for metrics and tests). */
  registered = 0;

  constructor(options: CommandSyncOptions) {
    this.#options = options;
    this.#debounceMs = options.debounceMs ?? 500;
  }

  /** The kernel's onCommandsChanged. */
  changed(guildId: string, commands: SlashCommand[]): void {
    this.#pending.set(guildId, commands);
    if (this.#applicationId === null || this.#closed) return;
    clearTimeout(this.#timers.get(guildId));
    this.#timers.set(guildId, setTimeout(() => this.#start(guildId), this.#debounceMs));
  }

  /** Once the gateway is ready (READY names the application): sends what waited for it. */
  connect(applicationId: string, rest: Pick<REST, 'put'>): void {
    this.#applicationId = applicationId;
    this.#rest = rest;
    for (const guildId of this.#pending.keys()) this.changed(guildId, this.#pending.get(guildId) ?? []);
  }

  /** Send every pending change now and wait for all overwrites in flight (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.#applicationId !== null) {
      for (const [guildId, timer] of this.#timers) {
        clearTimeout(timer);
        this.#timers.delete(guildId);
        this.#start(guildId);
      }
    }
    await Promise.all([...this.#running.values()]);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #start(guildId: string): void {
    this.#timers.delete(guildId);
    const commands = this.#pending.get(guildId);
    if (!commands) return;
    this.#pending.delete(guildId);
    const previous = this.#running.get(guildId) ?? Promise.resolve();
    const run = previous.then(() => this.#sync(guildId, commands)).catch((err: unknown) => {
      this.#options.logger.error({ err, guildId }, 'could not register slash commands; retrying in 5 s');
      if (this.#closed) return;
      if (!this.#pending.has(guildId)) this.#pending.set(guildId, commands);
      this.#timers.set(guildId, setTimeout(() => this.#start(guildId), 5000));
    });
    this.#running.set(guildId, run);
    void run.finally(() => {
      if (this.#running.get(guildId) === run) this.#running.delete(guildId);
    });
  }

  async #sync(guildId: string, commands: SlashCommand[]): Promise<void> {
    const appId = this.#applicationId as string;
    const body = guildCommandsBody(commands);
    const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const key = `${this.#options.prefix}commands:${appId}:${guildId}`;
    if ((await this.#options.redis.get(key)) === digest) return;
    await (this.#rest as Pick<REST, 'put'>).put(Routes.applicationGuildCommands(appId, guildId), { body });
    await this.#options.redis.set(key, digest);
    this.registered++;
    this.#options.logger.info({ guildId, commands: body.map((c) => c.name) }, 'slash commands registered for the guild');
  }
}
