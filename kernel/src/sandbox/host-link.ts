import { fork } from 'node:child_process';
import { sandboxHostEntry } from './host-entry.ts';
import type { FromHost, ToHost } from './sandbox-protocol.ts';

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

  constructor(options: { maxOldSpaceMb: number }) {
    this.#child = fork(sandboxHostEntry(), [], {
      // No ambient secrets: the host needs nothing from the runner's environment.
      env: { NODE_ENV: process.env.NODE_ENV ?? 'production' },
      // No young-generation flag: V8 flags apply to the plugin isolates too, where a smaller one
      // promotes more and moves where a plugin meets its memory limit (heap relief shrinks it).
      execArgv: [`--max-old-space-size=${options.maxOldSpaceMb}`, '--disable-warning=ExperimentalWarning'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  send(message: ToHost): void {
    if (this.#child.connected) this.#child.send(message);
  }

  onMessage(listener: (message: FromHost) => void): void {
    this.#child.on('message', (m) => listener(m as FromHost));
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
