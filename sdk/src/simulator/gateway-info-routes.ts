/**
 * `GET /gateway` and `GET /gateway/bot`: where discord.js finds the gateway. The URL is the
 * simulator's own WebSocket endpoint; `max_concurrency` is high so several shards may identify
 * at once (discord.js otherwise waits 5 s between identifies in the same bucket).
 */
import type { Router } from './http-routing.ts';
import { requireBot } from './rest-auth.ts';
import type { SimulatorContext } from './simulator-context.ts';

export function registerGatewayInfoRoutes(router: Router, ctx: SimulatorContext, recommendedShards: () => number): void {
  const gatewayUrl = (): string => ctx.baseUrl().replace(/^http/, 'ws');
  router.add('GET', '/gateway', () => ({ status: 200, json: { url: gatewayUrl() } }));
  router.add('GET', '/gateway/bot', (request) => {
    requireBot(request, ctx);
    return {
      status: 200,
      json: {
        url: gatewayUrl(),
        shards: recommendedShards(),
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 16 },
      },
    };
  });
}
