// Entry point of a sandbox host process, forked by the SandboxPool. It holds isolates and
// nothing else: no database, no Discord, no secrets (the pool forks it with none of its env).
import { serveSandboxHost } from './host-endpoint.ts';
import { IpcBatcher, unbatch } from './ipc-batch.ts';
import { warmUpIsolates } from './isolate-warm-up.ts';
import type { FromHost, ToHost } from './sandbox-protocol.ts';

if (!process.send) {
  console.error('the sandbox host runs as a child of the runner (SandboxPool), not on its own');
  process.exit(2);
}
// Before the first message is read: the runner's requests wait for it instead of competing with it.
warmUpIsolates();
const out = new IpcBatcher<FromHost>((wire) => {
  process.send?.(wire);
});
const handle = serveSandboxHost((message) => out.send(message), () => process.exit(0));
process.on('message', (wire: ToHost | ToHost[]) => unbatch(wire, handle));
// The runner going away means there is nobody to serve: leave at once.
process.on('disconnect', () => process.exit(0));
