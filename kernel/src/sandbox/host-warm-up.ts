import { BUNDLE_GLOBAL } from '@townesdev/plugin-contract';
import { SandboxHost } from './sandbox-host.ts';
import type { PluginImage, StorageBackend } from './sandbox-protocol.ts';

const GUILD = '0';
const IMAGE: PluginImage = {
  key: 'townes:warm-up@0.0.0',
  name: 'townes:warm-up',
  version: '0.0.0',
  code: `var ${BUNDLE_GLOBAL} = { default: { events: { async messageCreate(ctx) { ctx.log.info('warm'); await ctx.storage.set('k', (await ctx.storage.get('k')) ?? 1); } } } };`,
  permissions: ['storage'],
  limits: { cpuMsPerEvent: 1000, memoryMb: 8, storageBytes: 1024, actionsPerEvent: 1 },
};
/** An empty store of its own: nothing of the warm-up reaches the runner. */
const NOWHERE: StorageBackend = { read: async (requests) => requests.map(() => ({ values: [], usage: 0 })), list: async () => [] };

/**
 * Run one event through the whole sandbox host path (load, guild, submit, a storage miss and its
 * retry, the result) with a plugin and a store of its own, then drop them. The first isolate of a
 * process costs about twice what later ones do (V8 and isolated-vm set up on first use, and on
 * these virtual machines every page touched for the first time is a dear page fault), and every
 * function of the host runs from source the first time it is called: a sandbox host pays for both
 * while it starts, idle, instead of inside the first plugin load and event a guild waits for.
 * The host reads its first request only after this: run beside a load, it would compete with it.
 * A failure here is not reported: the first real load fails the same way, with its own message.
 */
export async function warmUpHost(timeoutMs = 2000): Promise<void> {
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const host = new SandboxHost({ backend: NOWHERE, onResults: () => finished() });
  let timer: NodeJS.Timeout | undefined;
  try {
    host.load(IMAGE);
    host.setGuild({ plugin: IMAGE.key, guildId: GUILD, configJson: '{}', grants: IMAGE.permissions });
    host.submit([{ seq: 1, plugin: IMAGE.key, guildId: GUILD, kind: 'event', name: 'messageCreate', payload: '{}' }]);
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // see above
  } finally {
    clearTimeout(timer);
    host.dispose();
  }
}
