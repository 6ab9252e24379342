// A uniform sample of at most `capacity` numbers from a stream of any length (Li's Algorithm L, ACM TOMS
// 20(4), 1994: it draws random numbers only when an item enters the sample, O(k·log(n/k)) draws in all).
// Below capacity it holds every value, so small data sets are judged exactly. The generator is seeded:
// the same data always gives the same sample, hence the same verdict.

/** Values kept per column and side when not told: 100 000 × 8 bytes = 0.8 MB a column. */
export const DEFAULT_CAPACITY = 100_000;

export class Reservoir {
  private readonly values: Float64Array;
  private count = 0;
  private nextTake = 0;
  private w = 1;
  private state: number;

  constructor(readonly capacity = DEFAULT_CAPACITY, seed = 0x9e3779b9) {
    this.values = new Float64Array(capacity);
    this.state = seed >>> 0;
  }

  /** How many values were offered (all of them, not only those kept). */
  get seen(): number { return this.count; }

  /** Whether the sample is every value offered. */
  get complete(): boolean { return this.count <= this.capacity; }

  add(v: number): void {
    const i = this.count++;
    const k = this.capacity;
    if (i < k) {
      this.values[i] = v;
      if (i === k - 1) { this.w = Math.exp(Math.log(this.random()) / k); this.skip(); }
      return;
    }
    if (i === this.nextTake) {
      this.values[Math.floor(this.random() * k)] = v;
      this.w *= Math.exp(Math.log(this.random()) / k);
      this.skip();
    }
  }

  /**
   * values[0, n) in order, as n calls of add() would take them (the same draws, the same sample), but
   * past the first `capacity` values only the ones the skips land on are touched.
   */
  addMany(values: Float64Array, n: number): void {
    const k = this.capacity;
    let j = 0;
    while (j < n && this.count < k) this.add(values[j++]);
    if (j === n) return;
    if (k === 0) { this.count += n - j; return; } // nothing is ever kept
    const base = this.count - j; // the stream index of values[0]
    for (let at = this.nextTake - base; at < n; at = this.nextTake - base) {
      this.values[Math.floor(this.random() * k)] = values[at];
      this.w *= Math.exp(Math.log(this.random()) / k);
      this.skip();
    }
    this.count = base + n;
  }

  /** The sample, ascending (a fresh array). */
  sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.count, this.capacity)).sort();
  }

  private skip(): void {
    this.nextTake = (this.nextTake || this.capacity - 1) + Math.floor(Math.log(this.random()) / Math.log(1 - this.w)) + 1;
  }

  /** mulberry32: uniform in (0, 1), never 0 (the logs above need it). */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  }
}
