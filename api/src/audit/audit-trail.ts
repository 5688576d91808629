import type { EntityManager } from '@mikro-orm/core';
import { AuditLog } from '../storage/entities/index.ts';

/** One change a person made. */
export interface AuditEntry {
  tenantId: string;
  guildId?: string | null;
  actorUserId: string;
  /** What was done, `noun.verb`: `plugin.install`, `plugin.configure`, `tenant.create`. */
  action: string;
  /** What it was done to: a plugin name, a guild id. */
  target: string;
  before?: unknown;
  after?: unknown;
  requestId: string;
}

/**
 * Record a change in the audit log, on the caller's EntityManager: the row is flushed in the same
 * transaction as the change, so there is never a change without its entry, or an entry without it.
 */
export function recordAudit(em: EntityManager, entry: AuditEntry): void {
  em.create(AuditLog, {
    tenantId: entry.tenantId,
    guildId: entry.guildId ?? null,
    actorUserId: entry.actorUserId,
    action: entry.action,
    target: entry.target,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId,
  });
}
