import { defineEntity, p } from '@mikro-orm/core';

export const GUILD_TABLE = 'api_guild';

/**
 * A Discord guild (an "asset") that belongs to one tenant. The first tenant whose admin logs in
 * while the bot is in the guild claims it; another tenant's admin then gets 404 for it.
 */
export const Guild = defineEntity({
  name: 'Guild',
  tableName: GUILD_TABLE,
  properties: {
    id: p.text().primary(),
    tenantId: p.uuid(),
    name: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'api_guild_tenant_id_index', properties: ['tenantId'] }],
});
