import { serveSandboxHost } from './host-endpoint.ts';
import type { HostLink } from './host-link.ts';
import type { FromHost, ToHost } from './sandbox-protocol.ts';

/** Development mode: the host runs inside the runner; the same protocol, minus the isolation. */
export class InProcessHostLink implements HostLink {
  readonly pid = process.pid;
  #listener: (message: FromHost) => void = () => {};
  #exit: (reason: string) => void = () => {};
  #dead = false;
  readonly #handle = serveSandboxHost((message) => {
    if (!this.#dead) queueMicrotask(() => this.#listener(message));
  });

  send(message: ToHost): void {
    if (!this.#dead) queueMicrotask(() => this.#handle(message));
  }

  onMessage(listener: (message: FromHost) => void): void {
    this.#listener = listener;
  }

  onExit(listener: (reason: string) => void): void {
    this.#exit = listener;
  }

  kill(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#handle({ t: 'close' });
    queueMicrotask(() => this.#exit('stopped'));
  }
}
