/**
 * Every request and reply schema of the API (`@townesdev/api/schemas`): the same zod objects the
 * routes validate with and the OpenAPI document is generated from. The web app's typed client
 * (`@townesdev/api/client`) parses with them too.
 */
export { AssetDetail, AssetSummary, FeatureFlag, TenantAssets } from '../assets/asset-schemas.ts';
export { AuditEntryView, AuditPage, AuditQuery } from '../audit/audit-schemas.ts';
export { CallbackBody, LoginReply, SessionReply, TenantView, UserView } from '../auth/auth-schemas.ts';
export { CreateIncidentBody, INCIDENT_SEVERITIES, IncidentList, IncidentQuery, IncidentView } from '../incidents/incident-schemas.ts';
export { CatalogEntry, CatalogPage, CatalogPlugin, CatalogQuery, CatalogVersion } from '../marketplace/catalog-schemas.ts';
export { ConfigureBody, GuildParams, GuildPluginParams, InstallBody, InstallView, UpgradeBody } from '../marketplace/install-schemas.ts';
export { DesiredPlugin, DesiredState, RunnerGuildsQuery, RunnerGuildsReply, UsageReport } from '../runner/runner-schemas.ts';
export { DailyUsageView, UsageQuery, UsageReply } from '../usage/usage-schemas.ts';
export { ErrorReply } from '@townesdev/plugin-contract';
