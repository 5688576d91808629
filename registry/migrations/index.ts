import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125140000_registry_initial } from './Migration20261125140000_registry_initial.ts';
import { Migration20261201120000_registry_publish_tokens } from './Migration20261201120000_registry_publish_tokens.ts';

/**
 * The registry's schema migrations, oldest first. Listed explicitly (MikroORM's `migrationsList`)
 * so Node loads them as ordinary imports, as the kernel does. The names are what MikroORM records
 * in `registry_schema_migrations`, so never rename one; append new migrations at the end.
 */
export const registryMigrations: MigrationObject[] = [
  { name: 'Migration20261125140000_registry_initial', class: Migration20261125140000_registry_initial },
  { name: 'Migration20261201120000_registry_publish_tokens', class: Migration20261201120000_registry_publish_tokens },
];
