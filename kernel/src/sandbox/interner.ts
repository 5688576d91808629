/**
 * One shared copy of values that many guilds hold equal: most guilds run a plugin with the same
 * config (often its defaults) and the same grant, and without sharing 10,000 guilds keep 10,000
 * equal copies in the runner and again in the sandbox hosts. Values are looked up by a text key
 * (the config's JSON, the grant's names) and must never be changed by whoever receives them.
 *
 * Bounded by the total length of the keys kept: past `budgetChars`, new values are handed back
 * unshared. So a stream of distinct configs cannot grow it, and nothing needs releasing; the
 * cost of that simplicity is that a value no guild uses any more may stay until restart. Keys
 * longer than `maxKeyChars` are never kept: a large config is seldom shared, and a few of them
 * would spend the whole budget.
 */
export class Interner<T> {
  readonly #values = new Map<string, T>();
  readonly #budgetChars: number;
  readonly #maxKeyChars: number;
  #usedChars = 0;

  constructor(options: { budgetChars?: number; maxKeyChars?: number } = {}) {
    this.#budgetChars = options.budgetChars ?? 1 << 20;
    this.#maxKeyChars = options.maxKeyChars ?? 4096;
  }

  /** The shared value for `key`, made by `make` the first time. */
  get(key: string, make: () => T): T {
    const hit = this.#values.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (key.length <= this.#maxKeyChars && this.#usedChars + key.length <= this.#budgetChars) {
      this.#values.set(key, value);
      this.#usedChars += key.length;
    }
    return value;
  }

  get size(): number {
    return this.#values.size;
  }
}

/** Freeze a JSON-shaped value all the way down, so a shared copy cannot be changed in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
