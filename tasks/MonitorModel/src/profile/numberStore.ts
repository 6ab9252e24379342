// A growing column of numbers kept as Float64 chunks (8 bytes a value, no boxed numbers and no doubling
// copies while it grows); `sorted()` hands one ascending Float64Array back and frees the chunks.

const CHUNK = 1 << 16;

export class NumberStore {
  private chunks: Float64Array[] = [];
  private current = new Float64Array(CHUNK);
  private used = 0;
  private total = 0;

  get length(): number { return this.total; }

  push(v: number): void {
    if (this.used === CHUNK) {
      this.chunks.push(this.current);
      this.current = new Float64Array(CHUNK);
      this.used = 0;
    }
    this.current[this.used++] = v;
    this.total++;
  }

  /** All values, ascending (typed-array sort is numeric). The store is empty afterwards. */
  sorted(): Float64Array {
    const out = new Float64Array(this.total);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    out.set(this.current.subarray(0, this.used), at);
    this.chunks = [];
    this.current = new Float64Array(0);
    this.used = 0;
    this.total = 0;
    return out.sort();
  }
}
