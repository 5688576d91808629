import { AppUser } from './app-user.ts';
import { AuditLog } from './audit-log.ts';
import { Guild } from './guild.ts';
import { Incident } from './incident.ts';
import { PluginInstallRecord } from './plugin-install.ts';
import { Session } from './session.ts';
import { Tenant } from './tenant.ts';
import { UsageCounter } from './usage-counter.ts';

export { AppUser, USER_TABLE } from './app-user.ts';
export { AUDIT_LOG_TABLE, AuditLog } from './audit-log.ts';
export { GUILD_TABLE, Guild } from './guild.ts';
export { INCIDENT_TABLE, Incident } from './incident.ts';
export { PLUGIN_INSTALL_TABLE, PluginInstallRecord } from './plugin-install.ts';
export { SESSION_TABLE, Session } from './session.ts';
export { TENANT_TABLE, Tenant } from './tenant.ts';
export { USAGE_COUNTER_TABLE, UsageCounter } from './usage-counter.ts';

/** Every control-plane entity: the ORM's model of the API's tables. */
export const apiEntities = [Tenant, AppUser, Guild, PluginInstallRecord, UsageCounter, AuditLog, Incident, Session] as const;
