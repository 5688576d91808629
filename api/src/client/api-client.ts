import type { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { AssetDetail, TenantAssets } from '../assets/asset-schemas.ts';
import { AuditPage } from '../audit/audit-schemas.ts';
import { LoginReply, SessionReply } from '../auth/auth-schemas.ts';
import { IncidentList, IncidentView, type CreateIncidentBody } from '../incidents/incident-schemas.ts';
import { CatalogPage, CatalogPlugin } from '../marketplace/catalog-schemas.ts';
import { InstallView, type InstallBody } from '../marketplace/install-schemas.ts';
import { UsageReply } from '../usage/usage-schemas.ts';

export interface ApiClientOptions {
  /** The API's origin, e.g. `https://api.townes.dev`. */
  baseUrl: string;
  /** Default: the global fetch. In a browser it sends the session cookie (`credentials: 'include'`). */
  fetch?: typeof fetch;
  /** Extra headers on every request (a test's cookie, a trace id). */
  headers?: Record<string, string>;
}

/** A refused request: the API's error reply, parsed. */
export class ApiClientError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly requestId: string;

  constructor(status: number, body: ErrorReply) {
    super(body.error.message);
    this.name = 'ApiClientError';
    this.status = status;
    this.code = body.error.code;
    this.hint = body.error.hint;
    this.requestId = body.error.requestId;
  }
}

const enc = encodeURIComponent;
const query = (q: Record<string, string | number | undefined>) => {
  const entries = Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
};

/**
 * The web app's typed client: one method per public route, each reply parsed with the route's own
 * zod schema (so a reply that drifted from the contract fails loudly), each refusal thrown as an
 * ApiClientError carrying the code, hint and request id.
 */
export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? fetch;

  async function call<S extends z.ZodType>(method: string, path: string, reply: S | null, body?: unknown): Promise<z.output<S>> {
    const res = await doFetch(options.baseUrl.replace(/\/$/, '') + path, {
      method,
      credentials: 'include',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = ErrorReply.safeParse(json);
      if (error.success) throw new ApiClientError(res.status, error.data);
      throw new Error(`${method} ${path} answered ${res.status} without the API's error shape`);
    }
    return (reply ? reply.parse(json) : undefined) as z.output<S>;
  }

  return {
    /** Where to send the browser to log in (the API redirects on to Discord). */
    loginUrl: () => `${options.baseUrl.replace(/\/$/, '')}/v1/auth/discord/login`,
    completeLogin: (code: string, state: string) => call('POST', '/v1/auth/discord/callback', LoginReply, { code, state }),
    session: () => call('GET', '/v1/auth/session', SessionReply),
    logout: () => call('POST', '/v1/auth/logout', null),
    listAssets: (tenantId: string) => call('GET', `/v1/tenants/${enc(tenantId)}/assets`, TenantAssets),
    getAsset: (guildId: string) => call('GET', `/v1/assets/${enc(guildId)}`, AssetDetail),
    listCatalog: (q: { query?: string; limit?: number; offset?: number } = {}) => call('GET', `/v1/marketplace/plugins${query(q)}`, CatalogPage),
    getCatalogPlugin: (plugin: string) => call('GET', `/v1/marketplace/plugins/${enc(plugin)}`, CatalogPlugin),
    installPlugin: (guildId: string, body: z.input<typeof InstallBody>) => call('POST', `/v1/assets/${enc(guildId)}/plugins`, InstallView, body),
    configurePlugin: (guildId: string, plugin: string, config: Record<string, unknown>) => call('PUT', `/v1/assets/${enc(guildId)}/plugins/${enc(plugin)}/config`, InstallView, { config }),
    upgradePlugin: (guildId: string, plugin: string, version: string, grants?: string[]) =>
      call('POST', `/v1/assets/${enc(guildId)}/plugins/${enc(plugin)}/upgrade`, InstallView, grants ? { version, grants } : { version }),
    uninstallPlugin: (guildId: string, plugin: string) => call('DELETE', `/v1/assets/${enc(guildId)}/plugins/${enc(plugin)}`, null),
    enableFeature: (guildId: string, plugin: string) => call('POST', `/v1/assets/${enc(guildId)}/features/${enc(plugin)}/enable`, InstallView),
    disableFeature: (guildId: string, plugin: string) => call('POST', `/v1/assets/${enc(guildId)}/features/${enc(plugin)}/disable`, InstallView),
    dailyUsage: (guildId: string, range: { from?: string; to?: string } = {}) => call('GET', `/v1/usage/${enc(guildId)}/daily${query(range)}`, UsageReply),
    createIncident: (body: z.input<typeof CreateIncidentBody>) => call('POST', '/v1/incidents', IncidentView, body),
    listIncidents: (tenantId: string, limit?: number) => call('GET', `/v1/tenants/${enc(tenantId)}/incidents${query({ limit })}`, IncidentList),
    listAudit: (tenantId: string, page: { limit?: number; before?: string } = {}) => call('GET', `/v1/tenants/${enc(tenantId)}/audit${query(page)}`, AuditPage),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
