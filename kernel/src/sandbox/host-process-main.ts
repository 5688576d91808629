// Entry point of a sandbox host process, forked by the SandboxPool. It holds isolates and
// nothing else: no database, no Discord, no secrets (the pool forks it with none of its env).
import { serveSandboxHost } from './host-endpoint.ts';
import { IpcBatcher, unbatch } from './ipc-batch.ts';
import { warmUpHost } from './host-warm-up.ts';
import type { ToHost } from './sandbox-protocol.ts';
import type { WireFromHost, WireToHost } from './wire-codec.ts';
import { decodeToHost, encodeFromHost } from './wire-codec.ts';

if (!process.send) {
  console.error('the sandbox host runs as a child of the runner (SandboxPool), not on its own');
  process.exit(2);
}
const out = new IpcBatcher<WireFromHost>((wire) => {
  process.send?.(wire);
});
const handle = serveSandboxHost((message) => out.send(encodeFromHost(message)), () => process.exit(0));
// Requests that arrive while the host warms up wait for it instead of competing with it.
let early: ToHost[] | null = [];
process.on('message', (wire: WireToHost | WireToHost[]) =>
  unbatch(wire, (m) => {
    const message = decodeToHost(m);
    if (early) early.push(message);
    else handle(message);
  }),
);
// The runner going away means there is nobody to serve: leave at once.
process.on('disconnect', () => process.exit(0));
await warmUpHost();
const waiting = early;
early = null;
for (const message of waiting) handle(message);
