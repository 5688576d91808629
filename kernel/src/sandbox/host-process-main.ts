// Entry point of a sandbox host process, forked by the SandboxPool. It holds isolates and
// nothing else: no database, no Discord, no secrets (the pool forks it with an empty env).
import { serveSandboxHost } from './host-endpoint.ts';
import { warmUpIsolates } from './isolate-warm-up.ts';
import type { FromHost, ToHost } from './sandbox-protocol.ts';

if (!process.send) {
  console.error('the sandbox host runs as a child of the runner (SandboxPool), not on its own');
  process.exit(2);
}
// Before the first message is read: the runner's requests wait for it instead of competing with it.
warmUpIsolates();
const send = (message: FromHost): void => {
  process.send?.(message);
};
const handle = serveSandboxHost(send, () => process.exit(0));
process.on('message', (message: ToHost) => handle(message));
// The runner going away means there is nobody to serve: leave at once.
process.on('disconnect', () => process.exit(0));
