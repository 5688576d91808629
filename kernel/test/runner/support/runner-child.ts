/**
 * A runner in a child process, for the crash test: reads its wiring from RUNNER_CHILD (JSON),
 * starts, prints `ready` on stdout, and runs until killed. Plugins run in-process here
 * (sandboxHosts 0) so that a kill -9 leaves no sandbox host processes behind.
 */
import { pino } from 'pino';
import { StaticBundleSource } from '../../../src/index.ts';
import { createKernelOrm, PostgresIncidentSink, PostgresPluginStore, PostgresQuarantineStore } from '../../../src/postgres.ts';
import { Runner, type DesiredPlugin } from '../../../src/runner/index.ts';
import { builtinBundles, REDIS_URL } from './runner-world.ts';

interface ChildWiring {
  apiBase: string;
  token: string;
  dbUrl: string;
  prefix: string;
  desired: Array<[string, DesiredPlugin[]]>;
}

const wiring = JSON.parse(process.env.RUNNER_CHILD ?? '{}') as ChildWiring;
const orm = await createKernelOrm(wiring.dbUrl, { logMigrations: false });
const bundles = new StaticBundleSource();
for (const b of await builtinBundles()) bundles.add(b);
const desired = new Map(wiring.desired);
await Runner.start({
  discord: { token: wiring.token, apiBase: wiring.apiBase },
  redisUrl: REDIS_URL,
  redisPrefix: wiring.prefix,
  kernel: { store: new PostgresPluginStore(orm), quarantine: new PostgresQuarantineStore(orm), incidents: new PostgresIncidentSink(orm), bundles, sandboxHosts: 0 },
  desiredState: { guilds: async () => [...desired.keys()], desiredState: async (g) => ({ plugins: desired.get(g) ?? [] }) },
  incidents: { report: async () => {} },
  logger: pino({ level: process.env.RUNNER_CHILD_LOG ?? 'silent' }),
  metricsLogEveryMs: 0,
  worker: { lockMs: 2000, concurrency: 4 },
});
process.stdout.write('ready\n');
