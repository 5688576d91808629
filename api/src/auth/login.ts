import { randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/audit-trail.ts';
import type { ApiOrm } from '../storage/api-orm.ts';
import { AppUser, GUILD_TABLE, Tenant } from '../storage/entities/index.ts';
import type { DiscordUser } from './discord-client.ts';
import { canManageGuild, type GuildAccess } from './guild-access.ts';

export interface LoginResult {
  userId: string;
  tenantId: string;
  /** True on the user's first login, when their tenant was just created. */
  newTenant: boolean;
  /** Guilds this login claimed for the tenant (manageable, and no other tenant had them). */
  claimed: string[];
}

/**
 * What a successful Discord login does to our data, in one transaction: the first login creates
 * the user's tenant; every login records the guilds they manage that no tenant has yet as the
 * tenant's (a guild another tenant already has stays theirs: first come, first served, audited).
 */
export async function recordLogin(orm: ApiOrm, user: DiscordUser, guilds: GuildAccess[], requestId: string): Promise<LoginResult> {
  return orm.em.fork().transactional(async (em) => {
    let account = await em.findOne(AppUser, { id: user.id });
    let newTenant = false;
    if (!account) {
      const tenantId = randomUUID();
      em.create(Tenant, { id: tenantId, name: `${user.global_name ?? user.username}'s workspace`, plan: 'free', ownerUserId: user.id });
      account = em.create(AppUser, { id: user.id, username: user.username, tenantId });
      recordAudit(em, { tenantId, actorUserId: user.id, action: 'tenant.create', target: tenantId, after: { plan: 'free' }, requestId });
      newTenant = true;
    } else {
      account.username = user.username;
      account.lastLoginAt = new Date();
    }
    await em.flush();
    const tenantId = account.tenantId;
    const claimed: string[] = [];
    for (const guild of guilds.filter(canManageGuild)) {
      // insert-or-nothing: two tenants' admins logging in at once cannot both claim a guild
      const rows = await em
        .getConnection()
        .execute<{ id: string }[]>(
          `insert into "${GUILD_TABLE}" ("id", "tenant_id", "name") values (?, ?, ?) on conflict ("id") do nothing returning "id"`,
          [guild.id, tenantId, guild.name],
          'all',
          em.getTransactionContext(),
        );
      if (rows.length > 0) {
        claimed.push(guild.id);
        recordAudit(em, { tenantId, guildId: guild.id, actorUserId: user.id, action: 'guild.claim', target: guild.id, after: { name: guild.name }, requestId });
      }
    }
    await em.flush();
    return { userId: user.id, tenantId, newTenant, claimed };
  });
}
