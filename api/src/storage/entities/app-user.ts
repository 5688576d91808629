import { defineEntity, p } from '@mikro-orm/core';

export const USER_TABLE = 'api_user';

/** A person who logged in with Discord; the id is their Discord user id. */
export const AppUser = defineEntity({
  name: 'AppUser',
  tableName: USER_TABLE,
  properties: {
    id: p.text().primary(),
    username: p.text(),
    tenantId: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastLoginAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'api_user_tenant_id_index', properties: ['tenantId'] }],
});
