/**
 * The last N latencies in a ring, for percentiles over recent work: bounded memory however long
 * the runner runs, and recent enough to show a queue that is falling behind now.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size = 4096) {
    this.#samples = new Float64Array(size);
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  /** `q` in [0, 1]; null when there is no sample yet. */
  percentile(q: number): number | null {
    if (this.#count === 0) return null;
    const sorted = Array.from(this.#samples.subarray(0, this.#count)).sort((a, b) => a - b);
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] ?? null;
  }
}
