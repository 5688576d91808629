/**
 * `npm run bench:kernel`: the xp plugin handling messageCreate events through the full kernel
 * path (sandbox host processes, as in production) beside the same bundle called in-process with
 * no sandbox, in the same run, over the same in-memory store. Prints one JSON line.
 *
 * The two paths run in BENCH_ROUNDS interleaved rounds (default 3), each sandboxed round in a
 * fresh kernel with fresh sandbox hosts. Events per second are each path's best round, as in
 * bench:api, bench:runner and bench:registry: these machines share their cores with neighbours,
 * and a single round of either path varied by a third between runs of the same code. Cold load
 * and the latencies are the median of the rounds. BENCH_DEBUG prints every round, and the memory
 * figures per process (with PSS beside RSS).
 *
 * The 10,000-guild memory figure is taken in a fresh child process (this file with `--rss`), so
 * the benchmark's own event arrays and the build tool do not count toward the runner's RSS. That
 * child starts as `townes` does (bin/townes.js), with a compile cache, warmed by a first child
 * (`--warm`) as a runner's first start warms it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { configSchemaToZod } from '@townesdev/plugin-contract';
import { Kernel, MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, RecordingActionSink, StaticBundleSource, defaultSandboxHosts } from '../src/index.ts';
import type { PluginBundle } from '../src/index.ts';
import { eventStream, guildId, messageEvent, percentile } from './bench-events.ts';
import { inProcessRunner } from './inprocess-baseline.ts';

type BenchEvent = ReturnType<typeof eventStream>[number];

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const GUILDS = 1000;
const USERS_PER_GUILD = 50;
/** Events in flight for the throughput run, and for the latency run. */
const WINDOW = 512;
const LATENCY_WINDOW = 8;
const LATENCY_EVENTS = 20_000;
/**
 * Events each path handles before it is timed. Steady state is what a runner that has been up a
 * while sees: a fresh sandbox host and its isolates took 60,000-90,000 events to get there (from
 * about 50,000 to 80,000 events per second; JIT tiering competes for the same 2 cores), while the
 * in-process baseline runs in this process, warm from its first round. Its first events are
 * cold_load_ms's business.
 */
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 50_000);
/** Rounds of each path, interleaved. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** As many sandbox hosts as a runner on this machine starts by default, unless BENCH_SANDBOX_HOSTS says. */
const SANDBOX_HOSTS = Number(process.env.BENCH_SANDBOX_HOSTS ?? defaultSandboxHosts());

function startKernel(bundles: PluginBundle[], store = new MemoryPluginStore()): Promise<Kernel> {
  const source = new StaticBundleSource();
  for (const b of bundles) source.add(b);
  return Kernel.start({ store, quarantine: new MemoryQuarantineStore(), incidents: new MemoryIncidentSink(), actions: new RecordingActionSink(), bundles: source, logger: pino({ level: 'silent' }), sandboxHosts: SANDBOX_HOSTS });
}

/** Enable a plugin in many guilds, 100 at a time, as a runner rehydrating its guilds would. */
async function enableAll(kernel: Kernel, m: PluginManifest, guilds: number): Promise<void> {
  for (let i = 0; i < guilds; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, guilds - i) }, (_, j) => kernel.enable(guildId(i + j), { plugin: m.name, version: m.version, config: {}, grants: m.permissions })));
  }
}

const readBundles = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PluginBundle[];

/** Child part: a runner's first start, which fills the compile cache the measured runner starts with. */
async function warmUp(bundlesFile: string): Promise<void> {
  const bundles = readBundles(bundlesFile);
  const kernel = await startKernel(bundles);
  for (const b of bundles) await enableAll(kernel, b.manifest, 1);
  await kernel.shutdown(2000);
}

/** Child part: RSS of a runner and its sandbox hosts with 10,000 guilds on welcome and xp. */
async function measureRss(bundlesFile: string): Promise<void> {
  const bundles = readBundles(bundlesFile);
  const kernel = await startKernel(bundles);
  // With BENCH_DEBUG, the floor: the same processes before any guild.
  const empty = process.env.BENCH_DEBUG ? { hosts: (await kernel.relieveMemory()).map((s) => s.rssBytes), runner: process.memoryUsage.rss() } : null;
  const guilds = 10_000;
  for (const b of bundles) await enableAll(kernel, b.manifest, guilds);
  // Touch every guild once so configs, caches and per-guild state are really populated.
  for (let i = 0; i < guilds; i += 500) {
    const touches: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(guilds, i + 500); j++) {
      touches.push(kernel.dispatch(guildId(j), 'messageCreate', messageEvent(guildId(j), 1, j), `m${j}`));
      touches.push(kernel.dispatch(guildId(j), 'guildMemberAdd', { guild: { id: guildId(j), name: 'Bench', memberCount: 10 }, user: { id: '400000000000000001', username: 'new', globalName: null, bot: false }, joinedAt: new Date(0).toISOString() }, `j${j}`));
    }
    await Promise.all(touches);
  }
  await new Promise((r) => setTimeout(r, 500));
  // As the runner's memory upkeep does at its first check: memory the burst left behind goes back.
  const stats = await kernel.relieveMemory();
  const rss = process.memoryUsage.rss() + stats.reduce((sum, s) => sum + s.rssBytes, 0);
  const heaps = stats.flatMap((s) => Object.values(s.heapBytesByPlugin));
  if (process.env.BENCH_DEBUG) {
    // PSS splits pages the processes share (Node's own code, mostly) between them; RSS counts them in each.
    const pssMb = (pid: number | 'self') => Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;
    const pss = { runner: pssMb('self'), hosts: stats.map((h) => pssMb(h.pid)) };
    console.error(JSON.stringify({ empty, runner: process.memoryUsage(), hosts: stats, pss_mb: { ...pss, total: pss.runner + pss.hosts.reduce((a, b) => a + b, 0) } }));
  }
  console.log(JSON.stringify({ rss_mb: rss / 2 ** 20, heap_per_plugin_mb: heaps.reduce((a, b) => a + b, 0) / Math.max(1, heaps.length) / 2 ** 20 }));
  await kernel.shutdown(2000);
}

/** One round of the sandboxed path in a fresh kernel: cold load, throughput, latency. */
async function sandboxedRound(xpBundle: PluginBundle, events: BenchEvent[]): Promise<{ eps: number; coldLoadMs: number; p50: number; p99: number }> {
  const { manifest } = xpBundle;
  // Cold load: first enable of a version (fetch, manifest check, isolate, compile, init) and its first event.
  const kernel = await startKernel([xpBundle]);
  await kernel.sandboxStats(); // the host processes are up: a runner loading a new version
  let t = performance.now();
  await kernel.enable(guildId(0), { plugin: manifest.name, version: manifest.version, config: {}, grants: manifest.permissions });
  await kernel.dispatch(guildId(0), 'messageCreate', events[0]?.json ?? '', 'cold');
  const coldLoadMs = performance.now() - t;

  // Throughput: the production path, WINDOW events in flight.
  await enableAll(kernel, manifest, GUILDS);
  const drive = async (list: BenchEvent[], window: number, latencies?: Float64Array) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const k = next++;
        const e = list[k];
        if (!e) break;
        const started = performance.now();
        const report = await kernel.dispatch(e.guildId, 'messageCreate', e.json, e.id);
        if (!report.outcomes[0]?.ok) throw new Error(`event failed: ${JSON.stringify(report)}`);
        if (latencies) latencies[k] = performance.now() - started;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  };
  await drive(eventStream(WARMUP_EVENTS, GUILDS, USERS_PER_GUILD), WINDOW);
  t = performance.now();
  await drive(events, WINDOW);
  const eps = events.length / ((performance.now() - t) / 1000);
  // Latency per event under a light load (a saturated pipeline measures only its queue).
  const latencies = new Float64Array(LATENCY_EVENTS);
  await drive(events.slice(0, LATENCY_EVENTS), LATENCY_WINDOW, latencies);
  latencies.sort();
  await kernel.shutdown(2000);
  return { eps, coldLoadMs, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** One round of the baseline: the same bundle called in-process over a fresh in-memory store. */
async function inProcessRound(code: string, configs: Map<string, unknown>, events: BenchEvent[]): Promise<number> {
  const run = inProcessRunner(code, new MemoryPluginStore(), configs);
  for (const e of eventStream(WARMUP_EVENTS, GUILDS, USERS_PER_GUILD)) await run(e.guildId, e.json);
  const t = performance.now();
  for (const e of events) await run(e.guildId, e.json);
  return events.length / ((performance.now() - t) / 1000);
}

const median = (values: number[]) => percentile(Float64Array.from(values).sort(), 50);

async function main(): Promise<void> {
  const { buildPlugin } = await import('@townesdev/sdk/build');
  const root = new URL('../../plugins/', import.meta.url).pathname;
  const xp = await buildPlugin({ dir: join(root, 'xp'), write: false });
  const welcome = await buildPlugin({ dir: join(root, 'welcome'), write: false });
  const xpBundle: PluginBundle = { manifest: xp.manifest, code: xp.code };
  const events = eventStream(EVENTS, GUILDS, USERS_PER_GUILD);
  const defaults = configSchemaToZod(xp.manifest.config).parse({});
  const configs = new Map(Array.from({ length: GUILDS }, (_, i) => [guildId(i), defaults] as const));

  // Interleaved rounds; throughput keeps each side's best round (a round disturbed by the
  // machine's neighbours says nothing about the code), latencies and cold load their median.
  let inprocessEps = 0;
  const rounds: Array<Awaited<ReturnType<typeof sandboxedRound>>> = [];
  for (let r = 0; r < ROUNDS; r++) {
    inprocessEps = Math.max(inprocessEps, await inProcessRound(xp.code, configs, events));
    rounds.push(await sandboxedRound(xpBundle, events));
  }
  const sandboxedEps = Math.max(...rounds.map((r) => r.eps));
  if (process.env.BENCH_DEBUG) console.error(JSON.stringify({ inprocessBest: inprocessEps, rounds }));

  // Memory with 10,000 guilds, in a fresh runner process.
  const dir = mkdtempSync(join(tmpdir(), 'townes-bench-'));
  const bundlesFile = join(dir, 'bundles.json');
  writeFileSync(bundlesFile, JSON.stringify([xpBundle, { manifest: welcome.manifest, code: welcome.code }]));
  // As `townes` runs (bin/townes.js): with a compile cache, here one of its own, warmed by a
  // runner that started before, so the measured runner strips no TypeScript at start.
  const child = (mode: '--warm' | '--rss') =>
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, mode, bundlesFile], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_COMPILE_CACHE: join(dir, 'compile-cache') } });
  child('--warm');
  const rssOut = child('--rss');
  rmSync(dir, { recursive: true, force: true });
  const rss = JSON.parse(rssOut.trim().split('\n').at(-1) ?? '{}') as { rss_mb: number; heap_per_plugin_mb: number };

  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  console.log(
    JSON.stringify({
      sandboxed_eps: Math.round(sandboxedEps),
      inprocess_eps: Math.round(inprocessEps),
      ratio: round(sandboxedEps / inprocessEps, 3),
      p50_us: Math.round(median(rounds.map((r) => r.p50)) * 1000),
      p99_us: Math.round(median(rounds.map((r) => r.p99)) * 1000),
      cold_load_ms: round(median(rounds.map((r) => r.coldLoadMs))),
      heap_per_plugin_mb: round(rss.heap_per_plugin_mb),
      rss_10k_guilds_mb: round(rss.rss_mb, 1),
    }),
  );
}

if (process.argv[2] === '--warm') await warmUp(process.argv[3] ?? '');
else if (process.argv[2] === '--rss') await measureRss(process.argv[3] ?? '');
else await main();
