import { Migration } from '@mikro-orm/migrations';

/**
 * The kernel's four tables: plugin data, the plugin migration ledger, quarantines, incidents.
 * Written by hand to match the entities in src/storage/entities (a test diffs them).
 * Rollback notes: docs/MIGRATIONS.md.
 */
export class Migration20261125000000_kernel_initial extends Migration {
  override up(): void {
    this.addSql(
      `create table "kernel_plugin_data" (
        "guild_id" text not null,
        "plugin" text not null,
        "key" text collate "C" not null,
        "value" jsonb not null,
        "bytes" int not null,
        "updated_at" timestamptz not null default now(),
        primary key ("guild_id", "plugin", "key"));`,
    );
    this.addSql(
      `create table "kernel_plugin_migration" (
        "guild_id" text not null,
        "plugin" text not null,
        "migration_id" text not null,
        "plugin_version" text not null,
        "applied_at" timestamptz not null default now(),
        primary key ("guild_id", "plugin", "migration_id"));`,
    );
    this.addSql(
      `create table "kernel_plugin_quarantine" (
        "plugin" text not null,
        "version" text not null,
        "guild_id" text not null,
        "reason" text not null,
        "message" text not null,
        "since" timestamptz not null,
        primary key ("plugin", "version", "guild_id"));`,
    );
    this.addSql(
      `create table "kernel_incident" (
        "id" bigserial primary key,
        "plugin" text not null,
        "version" text not null,
        "guild_id" text null,
        "severity" text not null,
        "kind" text not null,
        "message" text not null,
        "at" timestamptz not null);`,
    );
    this.addSql(`create index "kernel_incident_guild_id_at_index" on "kernel_incident" ("guild_id", "at");`);
  }

  override down(): void {
    this.addSql('drop table if exists "kernel_incident";');
    this.addSql('drop table if exists "kernel_plugin_quarantine";');
    this.addSql('drop table if exists "kernel_plugin_migration";');
    this.addSql('drop table if exists "kernel_plugin_data";');
  }
}
