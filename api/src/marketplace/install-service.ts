import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { Capability } from '@townesdev/plugin-contract';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/audit-trail.ts';
import { bitsCanManage } from '../auth/guild-access.ts';
import { guardGuild } from '../auth/guild-guard.ts';
import { planAllows } from '../plans/plan.ts';
import { ApiError, notFound } from '../server/api-error.ts';
import type { GuildSnapshots } from '../read-model/guild-snapshots.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { PluginInstallRecord } from '../storage/entities/index.ts';
import { checkBotPermissions, checkConfig, checkGrant, resolveInRegistry } from './install-checks.ts';
import type { InstallView } from './install-schemas.ts';
import { installView, type InstallRow } from './install-view.ts';

export interface InstallRequest {
  plugin: string;
  version: string;
  grants: Capability[];
  config: Record<string, unknown>;
  enabled: boolean;
}

/**
 * The marketplace's writes: install, configure, enable/disable, upgrade, uninstall a plugin on
 * one guild. Each one checks the guards and the plugin's needs first, then writes the install and
 * its audit entry in one transaction, then tells the runners the guild changed. A refused change
 * writes nothing.
 */
export class InstallService {
  readonly #deps: ApiDeps;
  readonly #snapshots: GuildSnapshots;

  constructor(deps: ApiDeps, snapshots: GuildSnapshots) {
    this.#deps = deps;
    this.#snapshots = snapshots;
  }

  install(request: FastifyRequest, guildId: string, body: InstallRequest): Promise<InstallView> {
    return this.#change(request, guildId, body.plugin, 'plugin.install', async (em, ctx, existing) => {
      if (existing) throw new ApiError(409, 'ALREADY_INSTALLED', `${body.plugin} is already installed on this guild`, 'Change it with the upgrade, config, enable or disable routes.');
      const installed = await em.count(PluginInstallRecord, { guildId });
      const { version, manifest } = await resolveInRegistry(this.#deps.registry, body.plugin, body.version);
      const plan = planAllows(ctx.tenant.plan, manifest, installed);
      if (!plan.ok) throw new ApiError(403, 'PLAN_LIMIT', plan.message, plan.hint);
      checkGrant(manifest, body.grants);
      const config = checkConfig(manifest, body.config);
      if (body.enabled) await this.#checkBot(guildId, manifest);
      return em.create(PluginInstallRecord, { guildId, plugin: body.plugin, range: body.version, version, enabled: body.enabled, config, grants: body.grants });
    });
  }

  configure(request: FastifyRequest, guildId: string, plugin: string, config: Record<string, unknown>): Promise<InstallView> {
    return this.#change(request, guildId, plugin, 'plugin.configure', async (_em, _ctx, existing) => {
      const row = required(existing, plugin);
      const { manifest } = await resolveInRegistry(this.#deps.registry, plugin, row.version);
      row.config = checkConfig(manifest, config);
      return row;
    });
  }

  setEnabled(request: FastifyRequest, guildId: string, plugin: string, enabled: boolean): Promise<InstallView> {
    return this.#change(request, guildId, plugin, enabled ? 'plugin.enable' : 'plugin.disable', async (_em, _ctx, existing) => {
      const row = required(existing, plugin);
      if (enabled && !row.enabled) {
        const { manifest } = await resolveInRegistry(this.#deps.registry, plugin, row.version);
        await this.#checkBot(guildId, manifest);
      }
      row.enabled = enabled;
      return row;
    });
  }

  upgrade(request: FastifyRequest, guildId: string, plugin: string, spec: string, grants: Capability[] | undefined): Promise<InstallView> {
    return this.#change(request, guildId, plugin, 'plugin.upgrade', async (_em, _ctx, existing) => {
      const row = required(existing, plugin);
      const { version, manifest } = await resolveInRegistry(this.#deps.registry, plugin, spec, row.version);
      const newGrants = grants ?? (row.grants as Capability[]);
      checkGrant(manifest, newGrants);
      // a config that fit the old version must fit the new one too, or the admin fixes it first
      row.config = checkConfig(manifest, row.config);
      if (row.enabled) await this.#checkBot(guildId, manifest);
      Object.assign(row, { range: spec, version, grants: newGrants });
      return row;
    });
  }

  async uninstall(request: FastifyRequest, guildId: string, plugin: string): Promise<void> {
    await this.#change(request, guildId, plugin, 'plugin.uninstall', async (em, _ctx, existing) => {
      em.remove(required(existing, plugin));
      return null;
    });
  }

  /**
   * The session remembers what Discord said at login; a change also asks Discord now (through the
   * bot, which is in the guild), so an admin whose Manage Server was taken away cannot keep
   * changing the guild until the session expires. Where the bot cannot see the member, the
   * session's view stands (the bot checks refuse what needs the bot anyway).
   */
  async #stillManages(request: FastifyRequest, guildId: string): Promise<void> {
    const { discord } = this.#deps;
    if (!discord.hasBot || !request.auth) return;
    const bits = await discord.memberPermissions(guildId, request.auth.userId);
    if (bits !== null && !bitsCanManage(bits)) {
      throw new ApiError(403, 'MANAGE_GUILD_REQUIRED', 'Discord says you no longer have the Manage Server permission in this guild', 'Ask the server owner for Manage Server (or Administrator), then log in again.');
    }
  }

  async #announce(request: FastifyRequest, guildId: string): Promise<void> {
    // this instance forgets at once (read-your-writes); the notice tells runners and the other instances
    this.#snapshots.invalidate(guildId);
    try {
      await this.#deps.notifier.guildChanged(guildId);
    } catch (error) {
      // the change is committed: the caller gets its answer; runners and other instances catch up
      // when their Redis connection comes back (they re-read every guild after a reconnect)
      request.log.warn({ err: error, guildId }, 'the change notice could not be published; runners will catch up on their next resync');
    }
  }

  async #checkBot(guildId: string, manifest: Parameters<typeof checkBotPermissions>[4]): Promise<void> {
    const { authorizeUrl, clientId } = this.#deps.settings.oauth;
    await checkBotPermissions(this.#deps.discord, authorizeUrl, clientId, guildId, manifest);
  }

  async #change(
    request: FastifyRequest,
    guildId: string,
    plugin: string,
    action: string,
    apply: (em: EntityManager, ctx: Awaited<ReturnType<typeof guardGuild>>, existing: InstallRow | null) => Promise<InstallRow | null>,
  ): Promise<InstallView> {
    const { result, changed } = await this.#deps.orm.em.fork().transactional(async (em) => {
      const ctx = await guardGuild(em, request, guildId);
      // after the tenant check: another tenant's guild is a 404 whatever Discord says
      await this.#stillManages(request, guildId);
      // the row is locked for the change, so two admins' changes apply one after the other
      const existing = await em.findOne(PluginInstallRecord, { guildId, plugin }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const before = existing ? installView(existing) : null;
      const row = await apply(em, ctx, existing);
      // a change that changes nothing (disabling what is disabled) is answered, not audited or announced
      if (row && before && sameState(before, installView(row))) return { result: before, changed: false };
      if (row) row.updatedAt = new Date();
      await em.flush();
      const after = row ? installView(row) : null;
      recordAudit(em, { tenantId: ctx.tenant.id, guildId, actorUserId: ctx.auth.userId, action, target: plugin, before, after, requestId: String(request.id) });
      await em.flush();
      return { result: after ?? before, changed: true };
    });
    if (changed) await this.#announce(request, guildId);
    if (!result) throw notFound(`${plugin} on this guild`);
    return result;
  }
}

/** Two views of an install describe the same state (when it was last changed aside). */
function sameState(a: InstallView, b: InstallView): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}

function required(row: InstallRow | null, plugin: string): InstallRow {
  if (!row) throw notFound(`${plugin} on this guild`, 'Install it first: POST /v1/assets/{guildId}/plugins.');
  return row;
}
