import pino from 'pino';
import type { PluginManifestInput, SlashCommand } from '@townesdev/plugin-contract';
import { parseManifest } from '@townesdev/plugin-contract';
import type { PluginBundle, PluginStore } from '../../src/index.ts';
import { Kernel, MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, RecordingActionSink, StaticBundleSource } from '../../src/index.ts';

/**
 * A bundle from inline plugin source, shaped exactly like the SDK build's output (an IIFE that
 * leaves the definition on `__townesPlugin`). `definition` is JavaScript source for the object
 * with events/commands/migrations; the manifest is added from `manifest`.
 */
export function inlineBundle(manifest: Partial<PluginManifestInput> & { name: string }, definition: string): PluginBundle {
  const full = parseManifest({ version: '1.0.0', displayName: manifest.name, kernelApi: '^1.0.0', ...manifest });
  const code = `var __townesPlugin = (() => { const definition = (${definition}); definition.manifest = ${JSON.stringify(full)}; return { default: definition }; })();`;
  return { manifest: full, code };
}

export interface TestKernel {
  kernel: Kernel;
  store: PluginStore;
  sink: RecordingActionSink;
  incidents: MemoryIncidentSink;
  commandChanges: Array<{ guildId: string; commands: SlashCommand[] }>;
}

/** A kernel over in-memory stores; `hosts: 0` runs the sandbox in this process. */
export async function startTestKernel(bundles: PluginBundle[], options: { hosts?: number; store?: PluginStore } = {}): Promise<TestKernel> {
  const source = new StaticBundleSource();
  for (const b of bundles) source.add(b);
  const store = options.store ?? new MemoryPluginStore();
  const sink = new RecordingActionSink();
  const incidents = new MemoryIncidentSink();
  const commandChanges: TestKernel['commandChanges'] = [];
  const kernel = await Kernel.start({
    store,
    quarantine: new MemoryQuarantineStore(),
    incidents,
    actions: sink,
    bundles: source,
    logger: pino({ level: 'silent' }),
    sandboxHosts: options.hosts ?? 0,
    onCommandsChanged: (guildId, commands) => commandChanges.push({ guildId, commands }),
  });
  return { kernel, store, sink, incidents, commandChanges };
}

export const GUILD_A = '111111111111111111';
export const GUILD_B = '222222222222222222';
export const CHANNEL = '333333333333333333';

export function message(guildId: string, content: string, n = 0): object {
  return { id: String(900000000000000000n + BigInt(n)), guildId, channelId: CHANNEL, author: { id: '444444444444444444', username: 'alice', globalName: null, bot: false }, memberRoles: [], content, createdAt: new Date(1_750_000_000_000 + n * 1000).toISOString() };
}

export const MESSAGE_INTENTS: { intents: Array<'Guilds' | 'GuildMessages' | 'MessageContent'>; botPermissions: [] } = { intents: ['Guilds', 'GuildMessages', 'MessageContent'], botPermissions: [] };
