/**
 * The user routes: `GET /users/@me` and `GET /users/@me/guilds` for the bot or an OAuth user
 * (what the control plane's "log in with Discord" reads), `GET /users/:id` for the bot, and
 * `GET /oauth2/@me` (the current authorization).
 */
import { apiCurrentUser, apiMember, apiPartialGuild, apiUser } from './api-objects.ts';
import { unauthorized } from './discord-errors.ts';
import type { Router } from './http-routing.ts';
import { requireBot, requireCaller } from './rest-auth.ts';
import type { SimulatorContext } from './simulator-context.ts';

export function registerUserRoutes(router: Router, ctx: SimulatorContext): void {
  router.add('GET', '/users/@me', (request) => {
    const caller = requireCaller(request, ctx, 'identify');
    const withEmail = caller.kind === 'bearer' && caller.scopes.includes('email');
    return { status: 200, json: apiCurrentUser(ctx.state.user(caller.userId), withEmail) };
  });

  router.add('GET', '/users/@me/guilds', (request) => {
    const caller = requireCaller(request, ctx, 'guilds');
    const q = request.query;
    const limit = Math.min(Math.max(Number(q.get('limit') ?? 200) || 200, 1), 200);
    const before = q.get('before');
    const after = q.get('after');
    // Discord pages by guild id: ascending, `after`/`before` exclusive.
    const guilds = ctx.state
      .guildsOf(caller.userId)
      .filter((g) => (after === null || BigInt(g.id) > BigInt(after)) && (before === null || BigInt(g.id) < BigInt(before)))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const page = before !== null && after === null ? guilds.slice(-limit) : guilds.slice(0, limit);
    const withCounts = q.get('with_counts') === 'true';
    return { status: 200, json: page.map((g) => apiPartialGuild(ctx.state, g, caller.userId, withCounts)) };
  });

  router.add('GET', '/users/@me/guilds/:guildId/member', (request) => {
    const caller = requireCaller(request, ctx, 'guilds.members.read');
    if (caller.kind === 'bot') throw unauthorized();
    return { status: 200, json: apiMember(ctx.state, ctx.state.member(request.params.guildId as string, caller.userId)) };
  });

  router.add('GET', '/users/:userId', (request) => {
    requireBot(request, ctx);
    return { status: 200, json: apiUser(ctx.state.user(request.params.userId as string)) };
  });

  router.add('GET', '/oauth2/@me', (request) => {
    const caller = requireCaller(request, ctx);
    if (caller.kind === 'bot') throw unauthorized();
    const grantUser = ctx.state.user(caller.userId);
    return {
      status: 200,
      json: {
        application: { id: caller.clientId, name: caller.clientId, icon: null, description: '', bot_public: true, bot_require_code_grant: false, verify_key: '', flags: 0 },
        scopes: caller.scopes,
        expires: new Date(Date.now() + 604_800_000).toISOString(),
        ...(caller.scopes.includes('identify') ? { user: apiUser(grantUser) } : {}),
      },
    };
  });
}
