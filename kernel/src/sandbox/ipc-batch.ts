/**
 * The wire between the runner and a sandbox host process: the messages one side produces in one
 * turn of its microtask queue cross as one IPC message (an array of them; a lone message crosses
 * as itself). Each IPC message costs a serialisation buffer and a pipe write; sent one by one, the
 * 20,000 guild settings of a runner rehydrating 10,000 guilds left 11 MB in the runner's malloc
 * heap after they were written (measured with /proc/self/smaps; batched, nothing).
 */
export class IpcBatcher<T extends object> {
  readonly #write: (wire: T | T[]) => void;
  #queue: T[] = [];

  constructor(write: (wire: T | T[]) => void) {
    this.#write = write;
  }

  send(message: T): void {
    this.#queue.push(message);
    if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#write(queue.length === 1 ? (queue[0] as T) : queue);
  }
}

/** The receiving side: each message of a wire message, in order. */
export function unbatch<T extends object>(wire: T | T[], each: (message: T) => void): void {
  if (!Array.isArray(wire)) {
    each(wire);
    return;
  }
  for (const message of wire) each(message);
}
