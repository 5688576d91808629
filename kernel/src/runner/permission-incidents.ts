import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ActionEnvelope } from '../actions/action-sink.ts';

/** An incident for a guild's admins, as the control plane records it. */
export interface RunnerIncident {
  guildId: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  detail: string;
}

/** Where the runner reports incidents (the binary posts them to the API's `/v1/incidents`). */
export interface RunnerIncidentReporter {
  report(incident: RunnerIncident): Promise<void>;
}

/** How long one refusal per guild and permission is remembered before it may be reported again. */
export const PERMISSION_INCIDENT_TTL_SECONDS = 24 * 3600;

interface Refusal {
  /** Discord's name of the permission, as the server settings show it. */
  permission: string;
  fix: string;
}

/** Which permission an action needed, when Discord refused it with Missing Permissions/Access. */
export function refusalFor(envelope: ActionEnvelope, code: number): Refusal {
  const a = envelope.action;
  if (a.type === 'sendMessage' || a.type === 'sendDirectMessage') {
    const where = a.type === 'sendMessage' ? `<#${a.channelId}>` : 'direct messages';
    if (code === 50001) return { permission: 'View Channel', fix: `Let the bot's role see ${where} (channel settings → Permissions → View Channel).` };
    const embeds = 'embeds' in a.message && (a.message.embeds?.length ?? 0) > 0;
    const permission = embeds ? 'Send Messages and Embed Links' : 'Send Messages';
    return { permission, fix: `Give the bot's role ${permission} in ${where} (channel settings → Permissions, or Server Settings → Roles).` };
  }
  return {
    permission: 'Manage Roles',
    fix: `Give the bot's role Manage Roles (Server Settings → Roles) and drag it above the role <@&${a.roleId}> in the role list: a bot can only give roles below its own.`,
  };
}

/**
 * Turns Discord's permission refusals into one incident per guild and permission, not one per
 * refused action: a busy server without Send Messages would otherwise file an incident per message.
 * Remembered in Redis (SET NX with a TTL), so restarts and other runner processes do not repeat it.
 */
export class PermissionIncidents {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #reporter: RunnerIncidentReporter;
  readonly #logger: Logger;
  readonly #seen = new Set<string>();

  constructor(deps: { redis: Redis; prefix: string; reporter: RunnerIncidentReporter; logger: Logger }) {
    this.#redis = deps.redis;
    this.#prefix = `${deps.prefix}permission-incident:`;
    this.#reporter = deps.reporter;
    this.#logger = deps.logger;
  }

  /** Record that Discord refused this action with `code` (50013 Missing Permissions, 50001 Missing Access). */
  async refused(envelope: ActionEnvelope, code: number): Promise<void> {
    const refusal = refusalFor(envelope, code);
    const id = `${envelope.guildId}:${refusal.permission}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    const first = await this.#redis.set(this.#prefix + id, '1', 'EX', PERMISSION_INCIDENT_TTL_SECONDS, 'NX');
    if (first !== 'OK') return;
    const incident: RunnerIncident = {
      guildId: envelope.guildId,
      severity: 'warning',
      title: `The bot is missing the ${refusal.permission} permission`,
      detail: `${envelope.plugin} tried to ${describe(envelope)} and Discord refused: the bot lacks ${refusal.permission}. ${refusal.fix} Until then ${envelope.plugin} cannot do this; other refusals of the same kind are not reported again for a day.`,
    };
    this.#logger.warn({ guildId: envelope.guildId, plugin: envelope.plugin, permission: refusal.permission }, incident.title);
    try {
      await this.#reporter.report(incident);
    } catch (err) {
      // let a later refusal try again
      this.#seen.delete(id);
      await this.#redis.del(this.#prefix + id);
      this.#logger.error({ err, guildId: envelope.guildId }, 'could not report a permission incident');
    }
  }
}

function describe(envelope: ActionEnvelope): string {
  const a = envelope.action;
  switch (a.type) {
    case 'sendMessage':
      return `post in <#${a.channelId}>`;
    case 'sendDirectMessage':
      return `send a direct message to <@${a.userId}>`;
    case 'addRole':
      return `give <@${a.userId}> the role <@&${a.roleId}>`;
    case 'removeRole':
      return `take the role <@&${a.roleId}> from <@${a.userId}>`;
  }
}
