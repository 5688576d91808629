import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125150000_api_initial } from './Migration20261125150000_api_initial.ts';

/**
 * The control plane's schema migrations, oldest first, listed explicitly (MikroORM's
 * `migrationsList`) so Node loads them as ordinary imports. The names are what MikroORM records
 * in `api_schema_migrations`: never rename one; append new migrations at the end.
 */
export const apiMigrations: MigrationObject[] = [{ name: 'Migration20261125150000_api_initial', class: Migration20261125150000_api_initial }];
