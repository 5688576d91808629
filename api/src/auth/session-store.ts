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

export interface SessionStoreOptions {
  /** How long this instance reuses a session it read (default 60 s; 0 reads PostgreSQL every time). */
  cacheMs?: number;
  /** Called after a logout, to tell the other API instances (ReadModelInvalidation listens). */
  onEnded?: (tokenHash: string) => Promise<void>;
}

/**
 * Logins in PostgreSQL. The cookie carries 32 random bytes; the table keeps only their sha256,
 * so reading the table does not let anyone log in. Expired rows are refused and removed on sight.
 * A session read is reused for a minute (bounded by its expiry); a logout drops it here at once
 * and, through the session-ended notice, on every other API instance.
 */
export class SessionStore {
  readonly #orm: ApiOrm;
  readonly #ttlMs: number;
  readonly #cacheMs: number;
  readonly #onEnded: ((tokenHash: string) => Promise<void>) | undefined;
  readonly #cache = new Map<string, { view: SessionView; until: number }>();

  constructor(orm: ApiOrm, ttlMs: number, options: SessionStoreOptions = {}) {
    this.#orm = orm;
    this.#ttlMs = ttlMs;
    this.#cacheMs = options.cacheMs ?? 60_000;
    this.#onEnded = options.onEnded;
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
    const tokenHash = hashOf(token);
    const now = Date.now();
    const hit = this.#cache.get(tokenHash);
    if (hit && now < hit.until) return hit.view;
    const em = this.#orm.em.fork();
    const row = await em.findOne(Session, { tokenHash });
    if (!row) return null;
    if (row.expiresAt.getTime() <= now) {
      await em.nativeDelete(Session, { tokenHash: row.tokenHash });
      return null;
    }
    const view = { tokenHash: row.tokenHash, userId: row.userId, tenantId: row.tenantId, guilds: row.guilds, expiresAt: row.expiresAt };
    if (this.#cacheMs > 0) {
      if (this.#cache.size >= 50_000) this.#cache.clear();
      this.#cache.set(tokenHash, { view, until: Math.min(now + this.#cacheMs, row.expiresAt.getTime()) });
    }
    return view;
  }

  async destroy(tokenHash: string): Promise<void> {
    await this.#orm.em.fork().nativeDelete(Session, { tokenHash });
    this.forget(tokenHash);
    await this.#onEnded?.(tokenHash);
  }

  /** Drop one session from this instance's cache (another instance logged it out). */
  forget(tokenHash: string): void {
    this.#cache.delete(tokenHash);
  }

  forgetAll(): void {
    this.#cache.clear();
  }

  /** Remove expired sessions (a worker job calls this; find() also drops them lazily). */
  async purgeExpired(): Promise<number> {
    return this.#orm.em.fork().nativeDelete(Session, { expiresAt: { $lte: new Date() } });
  }
}
