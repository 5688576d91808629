import { BUNDLE_GLOBAL } from '@townesdev/plugin-contract';
import { PluginIsolate } from './plugin-isolate.ts';
import type { GuestBridge } from './plugin-isolate.ts';

const NOWHERE: GuestBridge = { kv: () => 'eNOT_AVAILABLE:warm-up', act: () => 'eNOT_AVAILABLE:warm-up', log: () => {} };

/**
 * Build and drop one isolate holding an empty plugin, the way a real load does. The first isolate
 * of a process costs about twice what later ones do (V8 and isolated-vm set up on first use, and
 * on these virtual machines every page they touch for the first time is a dear page fault): a
 * sandbox host pays that while it starts, idle, instead of inside the first plugin load a guild
 * waits for. Run before the host reads its first request: run beside a load, it competes with it.
 * A failure here is not reported: the first real load fails the same way, with its own message.
 */
export function warmUpIsolates(): void {
  try {
    new PluginIsolate({ code: `var ${BUNDLE_GLOBAL} = { default: {} };`, filename: 'townes:warm-up.js', memoryMb: 8, permissions: [], loadTimeoutMs: 1000, bridge: NOWHERE }).dispose();
  } catch {
    // see above
  }
}
