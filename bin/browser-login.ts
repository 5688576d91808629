/**
 * A Discord login through the API exactly as a browser does it, for `townes start`'s demo admin:
 * GET /v1/auth/discord/login (state cookie + redirect), the simulator's consent for one user, then
 * POST /v1/auth/discord/callback with the code and state. Returns the session cookie.
 */
import type { DiscordSimulator } from '@townesdev/sdk/simulator';

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`));

export async function loginAs(apiUrl: string, sim: DiscordSimulator, userId: string): Promise<string> {
  const start = await fetch(`${apiUrl}/v1/auth/discord/login`, { redirect: 'manual' });
  const consent = new URL(start.headers.get('location') ?? '');
  const stateCookie = cookieOf(start, 'townes_oauth_state');
  const state = consent.searchParams.get('state') ?? '';
  const { code } = sim.oauth.authorize({
    userId,
    clientId: consent.searchParams.get('client_id') ?? '',
    redirectUri: consent.searchParams.get('redirect_uri') ?? '',
    scope: consent.searchParams.get('scope') ?? '',
    state,
  });
  const done = await fetch(`${apiUrl}/v1/auth/discord/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: stateCookie ?? '' },
    body: JSON.stringify({ code, state }),
  });
  const session = cookieOf(done, 'townes_session');
  if (!done.ok || !session) throw new Error(`the demo login failed: ${done.status} ${await done.text()}`);
  return session;
}
