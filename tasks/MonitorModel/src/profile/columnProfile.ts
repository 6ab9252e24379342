// What one column of a data set holds, counted while the rows stream by: its numbers (kept for KS and the
// quantile bins), its categories (counted), and every value that is neither, by reason.
import { readCategory, readNumber, type Cell } from '../data/cells';
import { NumberStore } from './numberStore';

/** A reference column with more distinct texts than this is not treated as a category. */
export const MAX_CATEGORIES = 1000;

export interface ValueCounts {
  /** rows of the data set (a row without the column counts as missing) */
  rows: number;
  numbers: number;
  /** NaN values (or text NaN) */
  nan: number;
  /** values that are not numbers in a numeric column (text, booleans) */
  invalid: number;
}

export class ColumnProfile {
  readonly numbers = new NumberStore();
  nan = 0;
  invalid = 0;
  /** category → count; undefined once past MAX_CATEGORIES distinct values, or when not counted */
  categories: Map<string, number> | undefined;
  categorical = 0;

  constructor(readonly name: string, readonly keep: { numbers: boolean; categories: boolean }) {
    this.categories = keep.categories ? new Map() : undefined;
  }

  add(cell: Cell): void {
    if (this.keep.numbers) {
      if (typeof cell === 'number' && cell === cell) this.numbers.push(cell);
      else {
        const r = readNumber(cell);
        if (r.kind === 'number') this.numbers.push(r.value);
        else if (r.kind === 'nan') this.nan++;
        else if (r.kind === 'invalid') this.invalid++;
      }
    }
    if (this.categories) {
      const c = canonicalCategory(cell);
      if (c !== undefined) {
        this.categorical++;
        this.categories.set(c, (this.categories.get(c) ?? 0) + 1);
        if (this.categories.size > MAX_CATEGORIES && this.keep.numbers) this.categories = undefined;
      }
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
