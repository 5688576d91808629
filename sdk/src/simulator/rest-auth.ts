/**
 * Who is calling: the bot (`Authorization: Bot <token>`) or a user through an OAuth access token
 * (`Authorization: Bearer <token>`). Discord answers 401 `{ message: '401: Unauthorized', code: 0 }`
 * to anything else, and to a bearer token without the scope a route needs.
 */
import { unauthorized } from './discord-errors.ts';
import type { SimRequest } from './http-routing.ts';
import type { SimulatorContext } from './simulator-context.ts';

export type Caller = { kind: 'bot'; userId: string } | { kind: 'bearer'; userId: string; scopes: readonly string[]; clientId: string };

export function callerOf(request: SimRequest, ctx: SimulatorContext): Caller | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bot' && value === ctx.botToken) return { kind: 'bot', userId: ctx.state.bot.id };
  if (scheme.toLowerCase() === 'bearer') {
    const grant = ctx.oauth.grantForAccessToken(value);
    if (grant) return { kind: 'bearer', userId: grant.userId, scopes: grant.scopes, clientId: grant.clientId };
  }
  return null;
}

/** The caller, which must be the bot or hold one of `scopes` (when given). */
export function requireCaller(request: SimRequest, ctx: SimulatorContext, scope?: string): Caller {
  const caller = callerOf(request, ctx);
  if (!caller) throw unauthorized();
  if (caller.kind === 'bearer' && scope !== undefined && !caller.scopes.includes(scope)) throw unauthorized();
  return caller;
}

/** Routes only a bot may call. */
export function requireBot(request: SimRequest, ctx: SimulatorContext): void {
  const caller = callerOf(request, ctx);
  if (caller?.kind !== 'bot') throw unauthorized();
}
