import { defineEntity, p } from '@mikro-orm/core';
import type { GuildAccess } from '../../auth/guild-access.ts';

export const SESSION_TABLE = 'api_session';

/**
 * A login. The cookie holds a random token; only its sha256 is stored, so a database leak does
 * not hand out sessions. `guilds` is what Discord said about the user's guilds at login (their
 * permission bits there), which the guards read.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: SESSION_TABLE,
  properties: {
    tokenHash: p.text().primary(),
    userId: p.text(),
    tenantId: p.uuid(),
    guilds: p.json<GuildAccess[]>(),
    createdAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
  },
  indexes: [{ name: 'api_session_expires_at_index', properties: ['expiresAt'] }],
});
