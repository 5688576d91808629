import { Migration } from '@mikro-orm/migrations';

/**
 * The control plane's tables: tenants, users, guilds, plugin installs, usage counters, the audit
 * log, incidents and sessions. Written by hand to match the entities in src/storage/entities (a
 * test diffs them). Rollback notes: docs/MIGRATIONS.md.
 */
export class Migration20261125150000_api_initial extends Migration {
  override up(): void {
    this.addSql(`create table if not exists "api_tenant" (
      "id" uuid not null, "name" text not null, "plan" text not null, "owner_user_id" text not null,
      "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`create table if not exists "api_user" (
      "id" text not null, "username" text not null, "tenant_id" uuid not null,
      "created_at" timestamptz not null default now(), "last_login_at" timestamptz not null default now(),
      primary key ("id"));`);
    this.addSql('create index if not exists "api_user_tenant_id_index" on "api_user" ("tenant_id");');
    this.addSql(`create table if not exists "api_guild" (
      "id" text not null, "tenant_id" uuid not null, "name" text not null,
      "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql('create index if not exists "api_guild_tenant_id_index" on "api_guild" ("tenant_id");');
    this.addSql(`create table if not exists "api_plugin_install" (
      "guild_id" text not null, "plugin" text not null, "range" text not null, "version" text not null,
      "enabled" boolean not null, "config" jsonb not null, "grants" jsonb not null,
      "installed_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      primary key ("guild_id", "plugin"));`);
    this.addSql(`create table if not exists "api_usage_counter" (
      "guild_id" text not null, "day" date not null, "metric" text not null, "value" bigint not null,
      primary key ("guild_id", "day", "metric"));`);
    this.addSql(`create table if not exists "api_audit_log" (
      "id" bigserial, "tenant_id" uuid not null, "guild_id" text null, "actor_user_id" text not null,
      "action" text not null, "target" text not null, "before" jsonb null, "after" jsonb null,
      "request_id" text not null, "at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql('create index if not exists "api_audit_log_tenant_id_at_index" on "api_audit_log" ("tenant_id", "at");');
    this.addSql(`create table if not exists "api_incident" (
      "id" bigserial, "tenant_id" uuid not null, "guild_id" text null, "severity" text not null,
      "source" text not null, "title" text not null, "detail" text null,
      "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql('create index if not exists "api_incident_tenant_id_created_at_index" on "api_incident" ("tenant_id", "created_at");');
    this.addSql(`create table if not exists "api_session" (
      "token_hash" text not null, "user_id" text not null, "tenant_id" uuid not null, "guilds" jsonb not null,
      "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, primary key ("token_hash"));`);
    this.addSql('create index if not exists "api_session_expires_at_index" on "api_session" ("expires_at");');
  }

  override down(): void {
    for (const table of ['api_session', 'api_incident', 'api_audit_log', 'api_usage_counter', 'api_plugin_install', 'api_guild', 'api_user', 'api_tenant']) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
