/** The web app's typed client (`@townesdev/api/client`); see docs/API/CLIENT.md. */
export { ApiClientError, createApiClient } from './api-client.ts';
export type { ApiClient, ApiClientOptions } from './api-client.ts';
