/**
 * Publish tokens (ADR 005): the registry operator issues a token per publisher, limited to the
 * scopes that publisher may publish (`@acme/*`). The HTTP routes ask for one on publish, yank
 * and unyank; the publisher's Ed25519 signature is checked on top of it, against the trust store.
 *
 * A token is `townes_rt_<id>_<secret>`: the id is public (listings, revocation, logs), the
 * secret is 32 random bytes. Only the SHA-256 of the whole string is stored, so the database
 * never holds a usable token; the lookup is by that hash (a unique index), so there is no
 * string comparison of secrets to time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isScope, scopeMatches } from '../signing/trust-store.ts';
import { RegistryPublishToken } from '../storage/entities/index.ts';
import type { RegistryOrm } from '../storage/registry-orm.ts';
import { RegistryError } from './registry-errors.ts';

export const PUBLISH_TOKEN_PREFIX = 'townes_rt_';
const TOKEN_FORM = /^townes_rt_([A-Za-z0-9-]{12})_([A-Za-z0-9_-]{43})$/;

/** A token as listed (never its secret). */
export interface PublishTokenInfo {
  id: string;
  label: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** A token that authenticated: who it is and what it may publish. */
export interface PublishGrant {
  tokenId: string;
  label: string;
  scopes: string[];
}

export interface CreateTokenInput {
  /** Who the token is for (shown in listings and logs). */
  label: string;
  /** What it may publish: `@acme/*`, `@acme/name` or `name`; at least one. */
  scopes: string[];
}

export function hashPublishToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `grant` may publish or yank `name`. */
export function grantCovers(grant: PublishGrant, name: string): boolean {
  return grant.scopes.some((scope) => scopeMatches(scope, name));
}

export class PublishTokens {
  readonly #orm: RegistryOrm;
  readonly #now: () => Date;

  constructor(orm: RegistryOrm, options: { now?: () => Date } = {}) {
    this.#orm = orm;
    this.#now = options.now ?? (() => new Date());
  }

  /** Issue a token. The returned `token` is shown once; the registry keeps only its hash. */
  async create(input: CreateTokenInput): Promise<PublishTokenInfo & { token: string }> {
    const label = typeof input?.label === 'string' ? input.label.trim() : '';
    if (label === '' || label.length > 200) throw new RegistryError('INVALID_INPUT', 'a token needs a label of 1 to 200 characters (who it is for)');
    const scopes = [...new Set(input.scopes ?? [])];
    if (scopes.length === 0) throw new RegistryError('INVALID_INPUT', 'a token needs at least one scope, such as @acme/*');
    const bad = scopes.filter((s) => typeof s !== 'string' || !isScope(s));
    if (bad.length) throw new RegistryError('INVALID_INPUT', `not a scope: ${bad.map((s) => JSON.stringify(s)).join(', ')}; write @acme/*, @acme/name or name`);

    // the id alphabet avoids "_" so the token splits unambiguously
    const id = randomBytes(9).toString('base64url').replace(/_/g, '-');
    const token = `${PUBLISH_TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const createdAt = this.#now();
    await this.#orm.em.fork().insert(RegistryPublishToken, { id, tokenHash: hashPublishToken(token), scopes, label, createdAt, revokedAt: null });
    return { id, token, label, scopes, createdAt, revokedAt: null };
  }

  /** Every token, newest first, revoked ones included. */
  async list(): Promise<PublishTokenInfo[]> {
    const rows = await this.#orm.em.fork().find(RegistryPublishToken, {}, { orderBy: { createdAt: 'desc', id: 'asc' } });
    return rows.map((r) => ({ id: r.id, label: r.label, scopes: r.scopes, createdAt: r.createdAt, revokedAt: r.revokedAt ?? null }));
  }

  /** Revoke a token by id; it is refused from then on. Revoking twice keeps the first date. Throws NOT_FOUND. */
  async revoke(id: string): Promise<PublishTokenInfo> {
    const em = this.#orm.em.fork();
    const row = await em.findOne(RegistryPublishToken, { id });
    if (!row) throw new RegistryError('NOT_FOUND', `no publish token with id ${JSON.stringify(String(id).slice(0, 40))}`);
    if (!row.revokedAt) {
      row.revokedAt = this.#now();
      await em.flush();
    }
    return { id: row.id, label: row.label, scopes: row.scopes, createdAt: row.createdAt, revokedAt: row.revokedAt ?? null };
  }

  /** The grant of a valid, unrevoked token, or null (unknown, malformed or revoked alike: the caller says 401). */
  async authenticate(token: string): Promise<PublishGrant | null> {
    if (typeof token !== 'string' || !TOKEN_FORM.test(token)) return null;
    const row = await this.#orm.em.fork().findOne(RegistryPublishToken, { tokenHash: hashPublishToken(token) });
    if (!row || row.revokedAt) return null;
    return { tokenId: row.id, label: row.label, scopes: row.scopes };
  }
}
