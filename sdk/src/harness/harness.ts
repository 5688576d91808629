import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { PluginManifest } from '@townesdev/plugin-contract';
import type { ActionEnvelope, KernelIncident, PluginAction } from '@townesdev/kernel';
import { Kernel, MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, RecordingActionSink, StaticBundleSource } from '@townesdev/kernel';
import { buildPlugin } from '../build/build-plugin.ts';
import { nextSnowflake } from './simulated-ids.ts';
import { SimulatedGuild } from './simulated-guild.ts';

export interface HarnessOptions {
  /** The plugin package folder; the harness builds `src/plugin.ts` from it. */
  pluginDir: string | URL;
  /** `inprocess` (default, fast) or `process` (sandbox host processes, as in production). */
  sandbox?: 'inprocess' | 'process';
}

export interface Harness {
  readonly manifest: PluginManifest;
  readonly kernel: Kernel;
  readonly store: MemoryPluginStore;
  /** Every action the plugin performed, in order. */
  readonly actions: PluginAction[];
  readonly envelopes: readonly ActionEnvelope[];
  readonly incidents: readonly KernelIncident[];
  guild(options?: { id?: string; name?: string; memberCount?: number; config?: unknown; grants?: string[] }): Promise<SimulatedGuild>;
  close(): Promise<void>;
}

/**
 * Run a plugin the way the platform runs it: built into a bundle, loaded into the real sandbox,
 * enabled per guild with a config and a grant, fed simulated events. Only Discord is simulated.
 */
export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const dir = options.pluginDir instanceof URL ? fileURLToPath(options.pluginDir) : options.pluginDir;
  const built = await buildPlugin({ dir, write: false });
  const sink = new RecordingActionSink();
  const incidents = new MemoryIncidentSink();
  const store = new MemoryPluginStore();
  const kernel = await Kernel.start({
    store,
    quarantine: new MemoryQuarantineStore(),
    incidents,
    actions: sink,
    bundles: new StaticBundleSource().add(built),
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    sandboxHosts: options.sandbox === 'process' ? 1 : 0,
  });
  const { manifest } = built;
  return {
    manifest,
    kernel,
    store,
    get actions() {
      return sink.actions.map((e) => e.action);
    },
    envelopes: sink.actions,
    incidents: incidents.incidents,
    async guild(g = {}) {
      const id = g.id ?? nextSnowflake();
      await kernel.enable(id, { plugin: manifest.name, version: manifest.version, config: g.config ?? {}, grants: g.grants ?? manifest.permissions });
      return new SimulatedGuild(kernel, manifest.name, { id, name: g.name ?? 'Test Server', memberCount: g.memberCount ?? 1 });
    },
    close: () => kernel.shutdown(2000),
  };
}
