import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_kernel_initial } from './Migration20261125000000_kernel_initial.ts';

/**
 * The kernel's schema migrations, oldest first. Listed explicitly (MikroORM's `migrationsList`)
 * so Node loads them as ordinary imports: no folder glob, no TypeScript compile step, and a
 * bundled binary carries them. The names are what MikroORM records in its table, so never
 * rename one; append new migrations at the end.
 */
export const kernelMigrations: MigrationObject[] = [
  { name: 'Migration20261125000000_kernel_initial', class: Migration20261125000000_kernel_initial },
];
