import { Migration } from '@mikro-orm/migrations';

/**
 * The registry's three tables: packages, versions, and the index serial (a singleton row,
 * created here with serial 0 so the first index is serial 1). Written by hand to match the
 * entities in src/storage/entities (a test diffs them). Rollback notes: docs/MIGRATIONS.md.
 */
export class Migration20261125140000_registry_initial extends Migration {
  override up(): void {
    this.addSql(
      `create table "registry_package" (
        "name" text not null,
        "created_at" timestamptz not null default now(),
        primary key ("name"));`,
    );
    this.addSql(
      `create table "registry_version" (
        "name" text not null,
        "version" text not null,
        "integrity" text not null,
        "manifest" jsonb not null,
        "publisher_key_id" text not null,
        "publisher_signature" text not null,
        "registry_key_id" text not null,
        "registry_signature" text not null,
        "yanked" boolean not null default false,
        "yanked_reason" text null,
        "published_at" timestamptz not null default now(),
        primary key ("name", "version"));`,
    );
    this.addSql(
      `create table "registry_index_state" (
        "id" int not null,
        "serial" bigint not null,
        "updated_at" timestamptz not null default now(),
        primary key ("id"));`,
    );
    this.addSql(`insert into "registry_index_state" ("id", "serial") values (1, 0);`);
  }

  override down(): void {
    this.addSql('drop table if exists "registry_index_state";');
    this.addSql('drop table if exists "registry_version";');
    this.addSql('drop table if exists "registry_package";');
  }
}
