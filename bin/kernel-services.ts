import type { Logger } from 'pino';
import type { IncidentSink, PluginStore, QuarantineStore } from '@townesdev/kernel';
import { MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore } from '@townesdev/kernel';
import { PostgresIncidentSink, PostgresPluginStore, PostgresQuarantineStore, createKernelOrm, ensureDatabase, migrateKernel } from '@townesdev/kernel/postgres';

export interface KernelServices {
  store: PluginStore;
  quarantine: QuarantineStore;
  incidents: IncidentSink;
  /** Where plugin data lives, in words for the operator. */
  description: string;
  close(): Promise<void>;
}

/**
 * The kernel's persistence on PostgreSQL (migrated on start), or in memory when PostgreSQL
 * cannot be reached and `fallbackToMemory` allows it (local demos), which the caller announces.
 */
export async function openKernelServices(databaseUrl: string, logger: Logger, fallbackToMemory: boolean): Promise<KernelServices> {
  try {
    await ensureDatabase(databaseUrl);
    const orm = await createKernelOrm(databaseUrl, { logMigrations: false });
    const applied = await migrateKernel(orm);
    if (applied.length > 0) logger.info({ applied }, 'kernel migrations applied');
    const where = new URL(databaseUrl);
    return {
      store: new PostgresPluginStore(orm),
      quarantine: new PostgresQuarantineStore(orm),
      incidents: new PostgresIncidentSink(orm),
      description: `PostgreSQL at ${where.host}${where.pathname}`,
      close: () => orm.close(true),
    };
  } catch (error) {
    if (!fallbackToMemory) throw error;
    logger.warn({ err: error }, 'PostgreSQL is not reachable; keeping plugin data in memory for this run');
    return { store: new MemoryPluginStore(), quarantine: new MemoryQuarantineStore(), incidents: new MemoryIncidentSink(), description: 'memory (PostgreSQL was not reachable: nothing is kept after exit)', close: async () => {} };
  }
}
