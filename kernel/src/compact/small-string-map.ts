/** Up to this many entries live in one flat array; beyond it, a Map. */
const FLAT_LIMIT = 8;

/**
 * A string-keyed map for the many small maps kept per guild: one plugin's data for one guild is
 * usually a handful of keys, and a runner holds thousands of guilds. A V8 Map costs about 200 bytes
 * before its first entry (20,000 namespaces' Maps were 6.7 MB of a sandbox host's heap, measured
 * with a heap snapshot); this keeps up to FLAT_LIMIT entries as one exact-size array of key, value
 * pairs, searched in order, and turns into a Map past that. Insertion order is kept either way.
 */
export class SmallStringMap<V> {
  #flat: Array<string | V> | null = null;
  #map: Map<string, V> | null = null;

  get size(): number {
    return this.#map ? this.#map.size : (this.#flat?.length ?? 0) / 2;
  }

  #indexOf(key: string): number {
    const flat = this.#flat;
    if (!flat) return -1;
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === key) return i;
    return -1;
  }

  get(key: string): V | undefined {
    if (this.#map) return this.#map.get(key);
    const i = this.#indexOf(key);
    return i < 0 ? undefined : (this.#flat?.[i + 1] as V);
  }

  has(key: string): boolean {
    return this.#map ? this.#map.has(key) : this.#indexOf(key) >= 0;
  }

  set(key: string, value: V): void {
    if (this.#map) {
      this.#map.set(key, value);
      return;
    }
    const i = this.#indexOf(key);
    const flat = this.#flat ?? [];
    if (i >= 0) {
      flat[i + 1] = value;
    } else if (flat.length / 2 < FLAT_LIMIT) {
      // Exact size, as exact-list.ts explains.
      this.#flat = flat.concat([key, value]);
    } else {
      this.#map = new Map(this.entries());
      this.#map.set(key, value);
      this.#flat = null;
    }
  }

  delete(key: string): boolean {
    if (this.#map) return this.#map.delete(key);
    const i = this.#indexOf(key);
    if (i < 0 || !this.#flat) return false;
    this.#flat = this.#flat.length === 2 ? null : this.#flat.slice(0, i).concat(this.#flat.slice(i + 2));
    return true;
  }

  clear(): void {
    this.#flat = null;
    this.#map = null;
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.#map) {
      yield* this.#map.entries();
      return;
    }
    const flat = this.#flat ?? [];
    for (let i = 0; i < flat.length; i += 2) yield [flat[i] as string, flat[i + 1] as V];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
