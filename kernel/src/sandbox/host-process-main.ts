// Entry point of a sandbox host process, forked by the SandboxPool. It holds isolates and
// nothing else: no database, no Discord, no secrets (the pool forks it with none of its env).
import { serveSandboxHost } from './host-endpoint.ts';
import { IpcBatcher, unbatch } from './ipc-batch.ts';
import { warmUpIsolates } from './isolate-warm-up.ts';
import type { WireFromHost, WireToHost } from './wire-codec.ts';
import { decodeToHost, encodeFromHost } from './wire-codec.ts';

if (!process.send) {
  console.error('the sandbox host runs as a child of the runner (SandboxPool), not on its own');
  process.exit(2);
}
// Before the first message is read: the runner's requests wait for it instead of competing with it.
warmUpIsolates();
const out = new IpcBatcher<WireFromHost>((wire) => {
  process.send?.(wire);
});
const handle = serveSandboxHost((message) => out.send(encodeFromHost(message)), () => process.exit(0));
process.on('message', (wire: WireToHost | WireToHost[]) => unbatch(wire, (m) => handle(decodeToHost(m))));
// The runner going away means there is nobody to serve: leave at once.
process.on('disconnect', () => process.exit(0));
