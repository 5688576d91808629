import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthChecks {
  /** The process is alive and not stuck (an orchestrator restarts it when this fails). */
  live(): boolean;
  /** It takes events: desired state loaded, sandboxes warm, every shard connected. */
  ready(): { ready: boolean; reason?: string };
  metrics(): unknown;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` (JSON) on their own small HTTP server: the runner has no
 * other HTTP surface, and these must answer even while the event loop is busy with Discord.
 */
export async function startHealthServer(checks: HealthChecks, port: number, host = '127.0.0.1'): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return send(405, { error: 'only GET' });
    if (path === '/healthz') return checks.live() ? send(200, { status: 'ok' }) : send(503, { status: 'unhealthy' });
    if (path === '/readyz') {
      const r = checks.ready();
      return send(r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', reason: r.reason });
    }
    if (path === '/metrics') return send(200, checks.metrics());
    return send(404, { error: 'not found: /healthz, /readyz and /metrics are served' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
