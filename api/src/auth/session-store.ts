import { createHash, randomBytes } from 'node:crypto';
import type { ApiOrm } from '../storage/api-orm.ts';
import { Session } from '../storage/entities/index.ts';
import type { GuildAccess } from './guild-access.ts';

/** What a request knows about the person behind it once its session cookie checked out. */
export interface SessionView {
  tokenHash: string;
  userId: string;
  tenantId: string;
  guilds: GuildAccess[];
  expiresAt: Date;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Logins in PostgreSQL. The cookie carries 32 random bytes; the table keeps only their sha256,
 * so reading the table does not let anyone log in. Expired rows are refused and removed on sight.
 */
export class SessionStore {
  readonly #orm: ApiOrm;
  readonly #ttlMs: number;

  constructor(orm: ApiOrm, ttlMs: number) {
    this.#orm = orm;
    this.#ttlMs = ttlMs;
  }

  async create(userId: string, tenantId: string, guilds: GuildAccess[]): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.#ttlMs);
    const em = this.#orm.em.fork();
    em.create(Session, { tokenHash: hashOf(token), userId, tenantId, guilds, expiresAt });
    await em.flush();
    return { token, expiresAt };
  }

  async find(token: string): Promise<SessionView | null> {
    const em = this.#orm.em.fork();
    const row = await em.findOne(Session, { tokenHash: hashOf(token) });
    if (!row) return null;
    if (row.expiresAt.getTime() <= Date.now()) {
      await em.nativeDelete(Session, { tokenHash: row.tokenHash });
      return null;
    }
    return { tokenHash: row.tokenHash, userId: row.userId, tenantId: row.tenantId, guilds: row.guilds, expiresAt: row.expiresAt };
  }

  async destroy(tokenHash: string): Promise<void> {
    await this.#orm.em.fork().nativeDelete(Session, { tokenHash });
  }

  /** Remove expired sessions (a worker job calls this; find() also drops them lazily). */
  async purgeExpired(): Promise<number> {
    return this.#orm.em.fork().nativeDelete(Session, { expiresAt: { $lte: new Date() } });
  }
}
