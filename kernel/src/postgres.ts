/**
 * The kernel's PostgreSQL persistence (`@townesdev/kernel/postgres`): a separate entry point so
 * that what runs on memory alone (the SDK harness, development, benchmarks) never loads the ORM.
 */
export { PostgresIncidentSink } from './quarantine/postgres-incident-sink.ts';
export { PostgresQuarantineStore } from './quarantine/postgres-quarantine-store.ts';
export { PostgresPluginStore } from './storage/postgres-plugin-store.ts';
export { KERNEL_MIGRATIONS_TABLE, createKernelOrm, migrateKernel, pendingKernelMigrations, rollbackKernel } from './storage/kernel-orm.ts';
export type { KernelOrm } from './storage/kernel-orm.ts';
export { ensureDatabase } from './storage/maintenance-db.ts';
export { runMigrationsLocked } from './storage/locked-migrator.ts';
