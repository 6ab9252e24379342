// What one column of a data set holds, counted while the rows stream by: a sample of its numbers (for KS
// and the reference's quantile bins), exact counts per bin once the bins are known (production), its
// categories, and every value that is neither, by reason. Counts are over every row, never sampled.
import { readCategory, readNumber, type Cell } from '../data/cells';
import { Reservoir } from './reservoir';

/** A reference column with more distinct texts than this is not treated as a category. */
export const MAX_CATEGORIES = 1000;

export interface ColumnOptions {
  numbers: boolean;
  categories: boolean;
  /** inner bin edges (production): each number is counted in its bin */
  edges?: readonly number[];
  sampleSize?: number;
}

export class ColumnProfile {
  readonly numbers: Reservoir;
  nan = 0;
  invalid = 0;
  /** category → count; undefined once past MAX_CATEGORIES distinct values, or when not counted */
  categories: Map<string, number> | undefined;
  categorical = 0;
  /** numbers per bin of `edges` */
  readonly binCounts: number[] | undefined;
  private readonly edges: readonly number[] | undefined;

  constructor(readonly name: string, readonly keep: ColumnOptions) {
    this.numbers = new Reservoir(keep.numbers ? keep.sampleSize : 0);
    this.categories = keep.categories ? new Map() : undefined;
    this.edges = keep.edges;
    this.binCounts = keep.edges ? new Array<number>(keep.edges.length + 1).fill(0) : undefined;
  }

  add(cell: Cell): void {
    if (this.keep.numbers) {
      // fast paths first: a JSON number, or text that Number() reads (whitespace-only text reads as 0)
      let v = typeof cell === 'number' ? cell : typeof cell === 'string' && cell !== '' ? Number(cell) : NaN;
      if (v === 0 && typeof cell === 'string' && cell.trim() === '') v = NaN;
      if (v === v) this.addNumber(v);
      else {
        const r = readNumber(cell);
        if (r.kind === 'number') this.addNumber(r.value);
        else if (r.kind === 'nan') this.nan++;
        else if (r.kind === 'invalid') this.invalid++;
      }
    }
    if (this.categories) {
      const c = canonicalCategory(cell);
      if (c !== undefined) this.addCategory(c);
    }
  }

  /**
   * n cells of a column batch: `numbers` holds the plain numbers (NaN elsewhere), `others` the other cells.
   * Same counts as add() on each cell: a number's category is its text, String(v), as canonicalCategory says.
   */
  addColumn(numbers: Float64Array, others: readonly Cell[] | undefined, n: number): void {
    const keepNumbers = this.keep.numbers;
    for (let i = 0; i < n; i++) {
      const v = numbers[i];
      if (v === v) {
        if (keepNumbers) this.addNumber(v);
        if (this.categories) this.addCategory(String(v));
      } else if (others !== undefined) {
        const c = others[i];
        if (c !== undefined) this.add(c);
      }
    }
  }

  private addCategory(c: string): void {
    if (!this.categories) return;
    this.categorical++;
    this.categories.set(c, (this.categories.get(c) ?? 0) + 1);
    if (this.categories.size > MAX_CATEGORIES && this.keep.numbers) this.categories = undefined; // the reference: past this, not a category
  }

  private addNumber(v: number): void {
    this.numbers.add(v);
    const edges = this.edges;
    if (edges && this.binCounts) {
      // the first edge ≥ v (bins are (edge[i−1], edge[i]])
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      this.binCounts[lo]++;
    }
  }
}

/** A category's text; numbers written differently ("1", "1.0") are one category. */
export function canonicalCategory(cell: Cell): string | undefined {
  const t = readCategory(cell);
  if (t === undefined) return undefined;
  if (typeof cell === 'number') return String(cell);
  const n = Number(t);
  return Number.isFinite(n) && /^[-+.\d]/.test(t) ? String(n) : t;
}
