import { MikroORM } from '@mikro-orm/postgresql';

/**
 * Run `fn` on the server's `postgres` maintenance database (for creating and dropping databases),
 * through a bare MikroORM connection: no entities, one pooled connection, closed afterwards.
 * `serverUrl` is a connection URL; its database part is ignored.
 */
export async function onMaintenanceDb<T>(serverUrl: string, fn: (orm: MikroORM) => Promise<T>): Promise<T> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const orm = await MikroORM.init({ clientUrl: url.toString(), entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 1 } });
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
  }
}

/** Create the database named in `url` if it does not exist yet (first runs, local setups). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[\w-]+$/.test(name)) throw new Error(`the database URL names the database "${name}"; use letters, digits, _ or -`);
  await onMaintenanceDb(url, async (orm) => {
    const rows = (await orm.em.getConnection().execute('select 1 from pg_database where datname = ?', [name])) as unknown[];
    if (rows.length === 0) await orm.em.getConnection().execute(`create database "${name}"`, [], 'run');
  });
}
