/**
 * `townes migrate up|down|status`: the schema migrations of everything the platform keeps in
 * DATABASE_URL. Three owners, each with its own ledger table and advisory lock: the kernel (plugin
 * data), the registry, and the API (control plane). `up` applies what is pending for all three;
 * `down` reverts the last migration of one owner (`--of api|registry|kernel`, default api), as
 * docs/MIGRATIONS.md describes; `status` lists applied and pending per owner.
 */
import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApiOrm, migrateApi, rollbackApi } from '@townesdev/api';
import { createKernelOrm, ensureDatabase, migrateKernel, rollbackKernel } from '@townesdev/kernel/postgres';
import { createRegistryOrm, migrateRegistry, rollbackRegistry } from '@townesdev/registry/service';
import type { Config } from './config.ts';

type Print = (line: string) => void;

const OWNERS = {
  kernel: { open: createKernelOrm, up: migrateKernel, down: rollbackKernel },
  registry: { open: createRegistryOrm, up: migrateRegistry, down: rollbackRegistry },
  api: { open: createApiOrm, up: migrateApi, down: rollbackApi },
} as const;
type Owner = keyof typeof OWNERS;
const isOwner = (s: string | undefined): s is Owner => s !== undefined && s in OWNERS;

const USAGE = `Usage: townes migrate <up|down|status> [--of api|registry|kernel]

  up                    apply every pending migration (kernel, registry, api)
  down [--of <owner>]   revert the last migration of one owner (default api); see docs/MIGRATIONS.md
  status                applied and pending migrations per owner`;

async function withOrm<T>(owner: Owner, url: string, run: (orm: MikroORM) => Promise<T>): Promise<T> {
  const orm = await OWNERS[owner].open(url, { logMigrations: false });
  try {
    return await run(orm);
  } finally {
    await orm.close(true);
  }
}

export async function migrate(config: Config, args: string[], print: Print, printErr: Print): Promise<number> {
  const [action, ...rest] = args;
  const ofAt = rest.indexOf('--of');
  const of = ofAt >= 0 ? rest[ofAt + 1] : 'api';
  if (action === 'help' || action === '--help' || action === undefined) {
    (action === undefined ? printErr : print)(USAGE);
    return action === undefined ? 64 : 0;
  }
  if (!isOwner(of)) {
    printErr(`townes migrate: --of must be api, registry or kernel, not "${String(of)}"\n\n${USAGE}`);
    return 64;
  }
  await ensureDatabase(config.databaseUrl);
  switch (action) {
    case 'up':
      for (const owner of Object.keys(OWNERS) as Owner[]) {
        const applied = await withOrm(owner, config.databaseUrl, (orm) => OWNERS[owner].up(orm));
        print(`${owner}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
      }
      return 0;
    case 'down': {
      const reverted = await withOrm(of, config.databaseUrl, (orm) => OWNERS[of].down(orm));
      print(`${of}: ${reverted.length === 0 ? 'nothing to revert' : `reverted ${reverted.join(', ')}`}`);
      return 0;
    }
    case 'status':
      for (const owner of Object.keys(OWNERS) as Owner[]) {
        const { executed, pending } = await withOrm(owner, config.databaseUrl, async (orm) => {
          const migrator = new Migrator(orm.em);
          return { executed: await migrator.getExecuted(), pending: await migrator.getPending() };
        });
        print(`${owner}: ${executed.length} applied${executed.length ? ` (last ${executed.at(-1)!.name})` : ''}, ${pending.length} pending${pending.length ? `: ${pending.map((p) => p.name).join(', ')}` : ''}`);
      }
      return 0;
    default:
      printErr(`townes migrate: unknown action "${action}"\n\n${USAGE}`);
      return 64;
  }
}
