/**
 * Discord's OAuth2 endpoints: the consent page (`GET /oauth2/authorize`), the token endpoint
 * (`POST /api/oauth2/token`, authorization_code and refresh_token grants) and revocation
 * (`POST /api/oauth2/token/revoke`).
 *
 * There is no login in the simulator: whoever opens the consent page picks the simulated user
 * (`&sim_user=<id>`; without it the page lists the users as links). `&sim_deny=1` is the user
 * clicking "Cancel".
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { Router, SimReply, SimRequest } from './http-routing.ts';
import { OAuthError, parseScopes, type OAuthApp } from './oauth-provider.ts';
import type { SimulatorContext } from './simulator-context.ts';

export function registerOAuthRoutes(router: Router, ctx: SimulatorContext): void {
  router.add('GET', '/oauth2/authorize', (request) => authorizePage(request, ctx));
  router.add('POST', '/oauth2/token', (request) => tokenEndpoint(request, ctx));
  router.add('POST', '/oauth2/token/revoke', (request) => {
    try {
      ctx.oauth.revoke(authenticateClient(request, ctx), formField(request, 'token'));
      return { status: 200, json: {} };
    } catch (error) {
      return oauthErrorReply(error);
    }
  });
}

function authorizePage(request: SimRequest, ctx: SimulatorContext): SimReply {
  const q = request.query;
  const clientId = q.get('client_id') ?? '';
  const app = ctx.oauth.app(clientId);
  // Without a known client and a registered redirect_uri there is nowhere safe to redirect to.
  if (!app) return consentError(request, 'Unknown Application', 10002);
  const redirectUri = q.get('redirect_uri') ?? (app.redirectUris.length === 1 ? app.redirectUris[0] : undefined);
  if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) return consentError(request, 'Invalid OAuth2 redirect_uri', 50035);
  const state = q.get('state') ?? undefined;
  const fail = (error: string, description: string): SimReply => redirectWithError(redirectUri, error, description, state);
  if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  let scopes: string[];
  try {
    scopes = parseScopes(q.get('scope') ?? '');
  } catch (error) {
    return error instanceof OAuthError ? fail(error.error, error.message) : fail('invalid_scope', 'Invalid scope');
  }
  if (q.get('sim_deny') === '1') return fail('access_denied', 'The resource owner or authorization server denied the request');
  const userId = q.get('sim_user');
  if (userId === null) return { status: 200, html: chooseUserPage(request, ctx, app) };
  if (!ctx.state.users.has(userId)) return consentError(request, 'Unknown User', 10013);
  if (scopes.includes('bot')) {
    const refused = installBot(ctx, userId, q.get('guild_id'), q.get('permissions'));
    if (refused !== null) return fail('access_denied', refused);
  }
  const { location } = ctx.oauth.authorize({ userId, clientId, redirectUri, scope: scopes, state });
  return { status: 302, headers: { location } };
}

/** The `bot` scope adds the bot to the chosen guild, if the user may manage it. */
function installBot(ctx: SimulatorContext, userId: string, guildId: string | null, permissions: string | null): string | null {
  if (guildId === null) return 'The bot scope needs guild_id in the simulator.';
  const guild = ctx.state.guilds.get(guildId);
  if (!guild?.members.has(userId)) return 'Unknown guild for this user.';
  if ((ctx.state.permissionsOf(guildId, userId) & PermissionFlagsBits.ManageGuild) === 0n) return 'The user lacks Manage Server in that guild.';
  ctx.state.addBotToGuild(guildId, permissions === null ? undefined : BigInt(permissions));
  return null;
}

function tokenEndpoint(request: SimRequest, ctx: SimulatorContext): SimReply {
  try {
    const app = authenticateClient(request, ctx);
    const grantType = formField(request, 'grant_type');
    if (grantType === 'authorization_code') {
      return { status: 200, json: ctx.oauth.exchangeCode(app, formField(request, 'code'), formField(request, 'redirect_uri')) };
    }
    if (grantType === 'refresh_token') return { status: 200, json: ctx.oauth.refresh(app, formField(request, 'refresh_token')) };
    throw new OAuthError(400, 'unsupported_grant_type');
  } catch (error) {
    return oauthErrorReply(error);
  }
}

/** HTTP Basic (`client_id:client_secret`, each form-encoded) or the body's client_id/client_secret. */
function authenticateClient(request: SimRequest, ctx: SimulatorContext): OAuthApp {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(401, 'invalid_client');
    return ctx.oauth.authenticateClient(decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1)));
  }
  return ctx.oauth.authenticateClient(formField(request, 'client_id'), formField(request, 'client_secret'));
}

function formField(request: SimRequest, name: string): string | undefined {
  const body = request.body;
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function oauthErrorReply(error: unknown): SimReply {
  if (error instanceof OAuthError) return { status: error.status, json: error.body };
  throw error;
}

function redirectWithError(redirectUri: string, error: string, description: string, state: string | undefined): SimReply {
  const location = new URL(redirectUri);
  location.searchParams.set('error', error);
  location.searchParams.set('error_description', description);
  if (state !== undefined) location.searchParams.set('state', state);
  return { status: 302, headers: { location: location.toString() } };
}

/** Browsers get a page; API clients (and tests) get Discord's JSON error. */
function consentError(request: SimRequest, message: string, code: number): SimReply {
  if ((request.headers.accept ?? '').includes('text/html')) {
    return { status: 400, html: page('Authorization failed', `<p>${escapeHtml(message)}</p>`) };
  }
  return { status: 400, json: { message, code } };
}

function chooseUserPage(request: SimRequest, ctx: SimulatorContext, app: OAuthApp): string {
  const links = [...ctx.state.users.values()]
    .filter((u) => !u.bot)
    .map((u) => {
      const query = new URLSearchParams(request.query);
      query.set('sim_user', u.id);
      return `<li><a href="?${escapeHtml(query.toString())}">${escapeHtml(u.globalName ?? u.username)}</a> (${escapeHtml(u.username)}, ${u.id})</li>`;
    });
  const cancel = new URLSearchParams(request.query);
  cancel.set('sim_deny', '1');
  return page(
    'Discord simulator: authorize',
    `<p>Application <code>${escapeHtml(app.clientId)}</code> asks for <code>${escapeHtml(request.query.get('scope') ?? '')}</code>.</p>` +
      `<p>Sign in as:</p><ul>${links.join('')}</ul><p><a href="?${escapeHtml(cancel.toString())}">Cancel</a></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
