import { fork } from 'node:child_process';
import { sandboxHostScript } from './host-entry.ts';
import { IpcBatcher, unbatch } from './ipc-batch.ts';
import type { FromHost, ToHost } from './sandbox-protocol.ts';
import type { WireFromHost, WireToHost } from './wire-codec.ts';
import { decodeFromHost, encodeToHost } from './wire-codec.ts';

/** The runner's handle on one sandbox host, wherever it runs. */
export interface HostLink {
  readonly pid: number;
  send(message: ToHost): void;
  onMessage(listener: (message: FromHost) => void): void;
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}


/** A sandbox host in its own process: a V8 crash or hang there cannot take the runner down. */
export class ChildHostLink implements HostLink {
  readonly #child;
  readonly #out: IpcBatcher<WireToHost>;

  constructor(options: { maxOldSpaceMb: number }) {
    const script = sandboxHostScript();
    this.#child = fork(script.file, [], {
      // No ambient secrets: the host needs nothing from the runner's environment.
      env: script.env,
      // A young generation that starts at 16 MB a semi-space: the host's own heap holds the events
      // in flight, and with V8's small default it collected and promoted them over and over
      // (about 12% of the CPU per event on the bench:kernel path, A/B). V8 flags reach the isolates
      // too, but a minimum cannot raise their young generation: V8 caps it at each isolate's
      // maximum, which isolated-vm derives from the memory limit (--trace-gc: same collections).
      // A maximum would reach them, so there is none: a smaller one moves where a plugin meets
      // its memory limit. After heap relief a quiet host keeps about 5 MB more than without it.
      // --expose-gc: memory relief collects the plugin isolates, which isolated-vm cannot do
      // otherwise; the guest runtime takes `gc` off each isolate's global before a plugin runs.
      execArgv: [`--max-old-space-size=${options.maxOldSpaceMb}`, '--min-semi-space-size=16', '--expose-gc', '--disable-warning=ExperimentalWarning'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#out = new IpcBatcher<WireToHost>((wire) => {
      if (this.#child.connected) this.#child.send(wire);
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  send(message: ToHost): void {
    this.#out.send(encodeToHost(message));
  }

  onMessage(listener: (message: FromHost) => void): void {
    this.#child.on('message', (wire) => unbatch(wire as WireFromHost | WireFromHost[], (m) => listener(decodeFromHost(m))));
  }

  onExit(listener: (reason: string) => void): void {
    let told = false;
    const tell = (reason: string) => {
      if (told) return;
      told = true;
      listener(reason);
    };
    this.#child.once('exit', (code, signal) => tell(signal ? `killed by ${signal}` : `exited with code ${code}`));
    // A process that could not be started (or whose channel broke) may never emit 'exit'.
    this.#child.on('error', (error) => tell(`failed: ${error.message}`));
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
