/**
 * Discord's OAuth2 authorization-code grant as the simulator's one authorization server:
 * registered applications, single-use codes that expire, access and refresh tokens, revocation.
 * Error names follow RFC 6749 and what Discord answers (`invalid_client`, `invalid_grant`, ...).
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorState } from './simulator-state.ts';

/** The scopes Discord knows (Discord docs, OAuth2 → Shared Resources → OAuth2 Scopes). */
export const DISCORD_OAUTH_SCOPES = new Set([
  'activities.read', 'activities.write', 'applications.builds.read', 'applications.builds.upload',
  'applications.commands', 'applications.commands.update', 'applications.commands.permissions.update',
  'applications.entitlements', 'applications.store.update', 'bot', 'connections', 'dm_channels.read',
  'email', 'gdm.join', 'guilds', 'guilds.join', 'guilds.members.read', 'identify', 'messages.read',
  'openid', 'relationships.read', 'role_connections.write', 'rpc', 'rpc.activities.write',
  'rpc.notifications.read', 'rpc.voice.read', 'rpc.voice.write', 'voice', 'webhook.incoming',
]);

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface AccessGrant {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

export interface TokenReply {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export interface OAuthProviderOptions {
  /** How long a code may be exchanged (Discord: 10 minutes). */
  codeTtlMs?: number;
  /** Access token lifetime (Discord: 604800 s, one week). */
  accessTokenTtlSeconds?: number;
}

/** An OAuth error: `status` and the RFC 6749 body Discord sends. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description?: string) {
    super(description ?? error);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
  }
  get body(): Record<string, string> {
    return this.message === this.error ? { error: this.error } : { error: this.error, error_description: this.message };
  }
}

interface PendingCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');

export class OAuthProvider {
  readonly #apps = new Map<string, OAuthApp>();
  readonly #codes = new Map<string, PendingCode>();
  readonly #byAccess = new Map<string, AccessGrant>();
  readonly #byRefresh = new Map<string, AccessGrant>();
  readonly #state: SimulatorState;
  readonly #codeTtlMs: number;
  readonly #accessTtlSeconds: number;

  constructor(state: SimulatorState, options: OAuthProviderOptions = {}) {
    this.#state = state;
    this.#codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
    this.#accessTtlSeconds = options.accessTokenTtlSeconds ?? 604_800;
  }

  registerApp(app: OAuthApp): OAuthApp {
    const copy = { ...app, redirectUris: [...app.redirectUris] };
    this.#apps.set(app.clientId, copy);
    return copy;
  }

  app(clientId: string): OAuthApp | undefined {
    return this.#apps.get(clientId);
  }

  /**
   * What the user clicking "Authorize" does: checks the request like Discord's consent screen
   * and returns a fresh code and the redirect `location` (`redirect_uri?code=...&state=...`).
   * Throws OAuthError for an unknown client, a redirect_uri not registered, or a bad scope.
   */
  authorize(input: { userId: string; clientId: string; redirectUri: string; scope: string | string[]; state?: string }): { code: string; location: string } {
    const app = this.#apps.get(input.clientId);
    if (!app) throw new OAuthError(400, 'invalid_client', 'Unknown Application');
    if (!app.redirectUris.includes(input.redirectUri)) throw new OAuthError(400, 'invalid_request', 'Invalid OAuth2 redirect_uri');
    const scopes = parseScopes(input.scope);
    this.#state.user(input.userId);
    const code = token(22);
    this.#codes.set(code, { clientId: app.clientId, userId: input.userId, redirectUri: input.redirectUri, scopes, expiresAt: Date.now() + this.#codeTtlMs });
    const location = new URL(input.redirectUri);
    location.searchParams.set('code', code);
    if (input.state !== undefined) location.searchParams.set('state', input.state);
    return { code, location: location.toString() };
  }

  /** Client authentication of the token and revoke endpoints. */
  authenticateClient(clientId: string | undefined, clientSecret: string | undefined): OAuthApp {
    const app = clientId === undefined ? undefined : this.#apps.get(clientId);
    if (!app || clientSecret === undefined || app.clientSecret !== clientSecret) throw new OAuthError(401, 'invalid_client');
    return app;
  }

  exchangeCode(app: OAuthApp, code: string | undefined, redirectUri: string | undefined): TokenReply {
    if (code === undefined) throw new OAuthError(400, 'invalid_request', 'Missing "code" in request.');
    const pending = this.#codes.get(code);
    // Single use: a code is gone once tried, whether the exchange succeeds or not.
    this.#codes.delete(code);
    if (!pending || pending.clientId !== app.clientId || pending.expiresAt <= Date.now()) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid "code" in request.');
    }
    if (redirectUri !== pending.redirectUri) throw new OAuthError(400, 'invalid_grant', 'Invalid "redirect_uri" in request.');
    return this.#issue(app.clientId, pending.userId, pending.scopes);
  }

  refresh(app: OAuthApp, refreshToken: string | undefined): TokenReply {
    const grant = refreshToken === undefined ? undefined : this.#byRefresh.get(refreshToken);
    if (!grant || grant.revoked || grant.clientId !== app.clientId) throw new OAuthError(400, 'invalid_grant', 'Invalid "refresh_token" in request.');
    // Refresh tokens rotate: the old one is spent; the old access token lives until it expires.
    this.#byRefresh.delete(grant.refreshToken);
    return this.#issue(grant.clientId, grant.userId, grant.scopes);
  }

  /** Revokes the grant an access or refresh token belongs to (both tokens stop working). */
  revoke(app: OAuthApp, tokenValue: string | undefined): void {
    if (tokenValue === undefined) throw new OAuthError(400, 'invalid_request', 'Missing "token" in request.');
    const grant = this.#byAccess.get(tokenValue) ?? this.#byRefresh.get(tokenValue);
    if (!grant || grant.clientId !== app.clientId) return; // RFC 7009: unknown tokens are not an error.
    grant.revoked = true;
    this.#byRefresh.delete(grant.refreshToken);
  }

  /** The live grant of a bearer access token, or undefined (unknown, expired or revoked). */
  grantForAccessToken(accessToken: string): AccessGrant | undefined {
    const grant = this.#byAccess.get(accessToken);
    if (!grant || grant.revoked || grant.expiresAt <= Date.now()) return undefined;
    return grant;
  }

  /** Makes every outstanding code and access token expire now (for expiry tests). */
  expireAll(): void {
    for (const pending of this.#codes.values()) pending.expiresAt = 0;
    for (const grant of this.#byAccess.values()) grant.expiresAt = 0;
  }

  #issue(clientId: string, userId: string, scopes: string[]): TokenReply {
    const grant: AccessGrant = {
      accessToken: token(22),
      refreshToken: token(22),
      clientId,
      userId,
      scopes,
      expiresAt: Date.now() + this.#accessTtlSeconds * 1000,
      revoked: false,
    };
    this.#byAccess.set(grant.accessToken, grant);
    this.#byRefresh.set(grant.refreshToken, grant);
    return { access_token: grant.accessToken, token_type: 'Bearer', expires_in: this.#accessTtlSeconds, refresh_token: grant.refreshToken, scope: scopes.join(' ') };
  }
}

/** Space-separated scopes (URL `+` already decoded), each one Discord knows. */
export function parseScopes(scope: string | string[]): string[] {
  const scopes = (Array.isArray(scope) ? scope : scope.split(/[\s+]+/)).filter((s) => s !== '');
  if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'No scope given.');
  const unknown = scopes.find((s) => !DISCORD_OAUTH_SCOPES.has(s));
  if (unknown !== undefined) throw new OAuthError(400, 'invalid_scope', `Invalid scope: ${unknown}`);
  return [...new Set(scopes)];
}
