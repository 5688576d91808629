/**
 * Holds a plugin's events for one guild while that guild moves to another version: events already
 * running finish on the old version, the migrations run against quiet data, and the events that
 * arrived meanwhile then run, in arrival order, on the new version.
 */
export class PluginGate {
  readonly #closed = new Map<string, { opened: Promise<void>; open(): void }>();
  readonly #running = new Map<string, number>();
  readonly #drainWaiters = new Map<string, Array<() => void>>();

  static key(guildId: string, plugin: string): string {
    return `${guildId}\u0000${plugin}`;
  }

  /** Enter if open; returns the release to call when done, or null when the gate is closed. */
  tryEnter(key: string): (() => void) | null {
    if (this.#closed.has(key)) return null;
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    return () => this.#leave(key);
  }

  /** Wait until the gate is open, then enter. */
  async enter(key: string): Promise<() => void> {
    for (;;) {
      const release = this.tryEnter(key);
      if (release) return release;
      await this.#closed.get(key)?.opened;
    }
  }

  #leave(key: string): void {
    const n = (this.#running.get(key) ?? 1) - 1;
    if (n > 0) {
      this.#running.set(key, n);
      return;
    }
    this.#running.delete(key);
    const waiters = this.#drainWaiters.get(key) ?? [];
    this.#drainWaiters.delete(key);
    for (const w of waiters) w();
  }

  /** Close the gate and wait until what already entered has left. */
  async closeAndDrain(key: string): Promise<void> {
    if (!this.#closed.has(key)) {
      let open = () => {};
      const opened = new Promise<void>((resolve) => (open = resolve));
      this.#closed.set(key, { opened, open });
    }
    if (!this.#running.has(key)) return;
    await new Promise<void>((resolve) => {
      const waiters = this.#drainWaiters.get(key) ?? [];
      waiters.push(resolve);
      this.#drainWaiters.set(key, waiters);
    });
  }

  open(key: string): void {
    const gate = this.#closed.get(key);
    this.#closed.delete(key);
    gate?.open();
  }
}
