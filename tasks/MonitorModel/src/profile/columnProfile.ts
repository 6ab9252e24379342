// What one column of a data set holds, counted while the rows stream by: a sample of its numbers (for KS
// and the reference's quantile bins), exact counts per bin once the bins are known (production), its
// categories, and every value that is neither, by reason. Counts are over every row, never sampled.
import { readCategory, readNumber, type Cell } from '../data/cells';
import { binIndex } from '../stats/quantiles';
import { Reservoir } from './reservoir';

/** Scratch for addColumn: a batch column's numbers in stream order (grown, shared: profiles run one at a time). */
let gathered = new Float64Array(0);

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
      const v = this.numberOf(cell);
      if (v !== undefined) this.addNumber(v);
    }
    if (this.categories) {
      const c = canonicalCategory(cell);
      if (c !== undefined) this.addCategory(c);
    }
  }

  /** The cell's number; undefined when it has none (a NaN or an invalid value is counted here). */
  private numberOf(cell: Cell): number | undefined {
    // fast paths first: a JSON number, or text that Number() reads (whitespace-only text reads as 0)
    let v = typeof cell === 'number' ? cell : typeof cell === 'string' && cell !== '' ? Number(cell) : NaN;
    if (v === 0 && typeof cell === 'string' && cell.trim() === '') v = NaN;
    if (v === v) return v;
    const r = readNumber(cell);
    if (r.kind === 'number') return r.value;
    if (r.kind === 'nan') this.nan++;
    else if (r.kind === 'invalid') this.invalid++;
    return undefined;
  }

  /**
   * n cells of a column batch: `numbers` holds the plain numbers (NaN elsewhere), `others` the other cells.
   * The same counts and the same sample as add() on each cell in order: the numbers (also those read from
   * text cells) are gathered in stream order and handed to the sample and the bins in one go; a number's
   * category is its text, String(v), as canonicalCategory says.
   */
  addColumn(numbers: Float64Array, others: readonly Cell[] | undefined, n: number): void {
    const keepNumbers = this.keep.numbers;
    if (gathered.length < n) gathered = new Float64Array(Math.max(n, 2 * gathered.length));
    const out = gathered;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = numbers[i];
      if (v === v) {
        out[m++] = v;
        if (this.categories) this.addCategory(String(v));
      } else if (others !== undefined) {
        const c = others[i];
        if (c === undefined) continue;
        if (keepNumbers) {
          const x = this.numberOf(c);
          if (x !== undefined) out[m++] = x;
        }
        if (this.categories) {
          const t = canonicalCategory(c);
          if (t !== undefined) this.addCategory(t);
        }
      }
    }
    if (!keepNumbers || m === 0) return;
    this.numbers.addMany(out, m);
    const edges = this.edges;
    const bins = this.binCounts;
    if (edges && bins) for (let i = 0; i < m; i++) bins[binIndex(edges, out[i])]++;
  }

  private addCategory(c: string): void {
    if (!this.categories) return;
    this.categorical++;
    this.categories.set(c, (this.categories.get(c) ?? 0) + 1);
    if (this.categories.size > MAX_CATEGORIES && this.keep.numbers) this.categories = undefined; // the reference: past this, not a category
  }

  private addNumber(v: number): void {
    this.numbers.add(v);
    // the first edge ≥ v (bins are (edge[i−1], edge[i]])
    if (this.edges && this.binCounts) this.binCounts[binIndex(this.edges, v)]++;
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
