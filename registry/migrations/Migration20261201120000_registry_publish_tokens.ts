import { Migration } from '@mikro-orm/migrations';

/**
 * Publish tokens (ADR 005): who may publish and yank which scopes over HTTP. Only the SHA-256
 * of a token is stored. Written by hand to match src/storage/entities/registry-publish-token.ts
 * (a test diffs them). Rollback notes: docs/MIGRATIONS.md.
 */
export class Migration20261201120000_registry_publish_tokens extends Migration {
  override up(): void {
    this.addSql(
      `create table "registry_publish_token" (
        "id" text not null,
        "token_hash" text not null,
        "scopes" jsonb not null,
        "label" text not null,
        "created_at" timestamptz not null default now(),
        "revoked_at" timestamptz null,
        primary key ("id"));`,
    );
    this.addSql(`alter table "registry_publish_token" add constraint "registry_publish_token_token_hash_unique" unique ("token_hash");`);
  }

  override down(): void {
    this.addSql('drop table if exists "registry_publish_token";');
  }
}
