// Rows stored column-wise: per column a Float64Array of the cells that are plain numbers (NaN elsewhere)
// and, only when the column has any, an array of the other cells (text, booleans, null, NaN). The profile
// reads the numbers straight from the typed arrays (no object per row); consumers that want rows (the label
// join, tests) iterate the batch and get each row as the row reader would have given it.
import type { Cell, Row } from './cells';

/** A row object as the builder's current row, its keys in their order, and ends it. */
export function appendRow(builder: ColumnBuilder, row: Row): void {
  for (const key in row) builder.setCell(builder.column(key), row[key]);
  builder.endRow();
}

export class ColumnBatch implements Iterable<Row> {
  constructor(
    /** in the order first seen; a row lacking a column has no cell there (missing) */
    readonly columns: readonly string[],
    readonly length: number,
    /** per column: the number, or NaN where the cell is not a plain number (see `others`) */
    readonly numbers: readonly Float64Array[],
    /** per column: the cells that are not plain numbers (undefined where the row has no cell) */
    readonly others: readonly (Cell[] | undefined)[],
    /** the row as the source's row reader gives it (a CSV row re-read from its bytes); default: from the columns */
    private readonly rowOf?: (i: number) => Row,
  ) {}

  cell(column: number, i: number): Cell {
    const v = this.numbers[column][i];
    return v === v ? v : this.others[column]?.[i];
  }

  row(i: number): Row {
    if (this.rowOf) return this.rowOf(i);
    const row: Row = {};
    for (let k = 0; k < this.columns.length; k++) {
      const c = this.cell(k, i);
      if (c !== undefined) row[this.columns[k]] = c;
    }
    return row;
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }
}

const INITIAL_ROWS = 1024;

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/**
 * Fills a ColumnBatch row by row: set cells of the current row, then `endRow`. Arrays grow by doubling.
 * `mark`/`rollback` undo the rows (and columns) added since the mark: an envelope read half-way by a fast
 * path and then handed to the full parse, or left out of the window.
 */
export class ColumnBuilder {
  private names: string[] = [];
  private readonly index = new Map<string, number>();
  private nums: Float64Array[] = [];
  private cells: (Cell[] | undefined)[] = [];
  private capacity = INITIAL_ROWS;
  rows = 0;

  get columnCount(): number { return this.names.length; }

  column(name: string): number {
    let k = this.index.get(name);
    if (k === undefined) {
      k = this.names.length;
      this.index.set(name, k);
      this.names.push(name);
      this.nums.push(nanArray(this.capacity));
      this.cells.push(undefined);
    }
    return k;
  }

  columnName(k: number): string { return this.names[k]; }

  /** A plain number of the current row (not NaN: a NaN cell goes through setCell). */
  setNumber(k: number, v: number): void {
    this.nums[k][this.rows] = v;
    const c = this.cells[k];
    if (c !== undefined && c[this.rows] !== undefined) c[this.rows] = undefined;
  }

  /** Any cell of the current row; numbers other than NaN are stored as numbers. */
  setCell(k: number, cell: Cell): void {
    if (typeof cell === 'number' && cell === cell) { this.setNumber(k, cell); return; }
    this.nums[k][this.rows] = NaN;
    if (cell === undefined && this.cells[k] === undefined) return;
    (this.cells[k] ??= [])[this.rows] = cell;
  }

  /** The current row's cell in column k, as set so far. */
  cell(k: number): Cell {
    const v = this.nums[k][this.rows];
    return v === v ? v : this.cells[k]?.[this.rows];
  }

  /** In rows [from, to): a cell that is missing, null or empty text becomes `cell`. */
  fillMissing(k: number, from: number, to: number, cell: string): void {
    const nums = this.nums[k];
    for (let i = from; i < to; i++) {
      if (nums[i] === nums[i]) continue;
      const c = this.cells[k]?.[i];
      if (c === undefined || c === null || c === '') (this.cells[k] ??= [])[i] = cell;
    }
  }

  endRow(): void {
    this.rows++;
    if (this.rows === this.capacity) this.grow();
  }

  mark(): { rows: number; columns: number } {
    return { rows: this.rows, columns: this.names.length };
  }

  rollback(m: { rows: number; columns: number }): void {
    for (let k = this.names.length - 1; k >= m.columns; k--) this.index.delete(this.names[k]);
    this.names.length = m.columns;
    this.nums.length = m.columns;
    this.cells.length = m.columns;
    // the current (unfinished) row too
    for (let k = 0; k < m.columns; k++) {
      this.nums[k].fill(NaN, m.rows, this.rows + 1);
      const c = this.cells[k];
      if (c) for (let i = m.rows; i <= this.rows && i < c.length; i++) c[i] = undefined;
    }
    this.rows = m.rows;
  }

  /** The rows so far as a batch; the builder starts empty again with the same columns. */
  take(rowOf?: (i: number) => Row): ColumnBatch {
    const n = this.rows;
    const batch = new ColumnBatch(
      [...this.names], n, this.nums.map((a) => a.subarray(0, n)),
      this.cells.map((c) => (c && c.length > n ? c.slice(0, n) : c)), rowOf,
    );
    this.capacity = Math.max(INITIAL_ROWS, Math.min(this.capacity, 1 << 16));
    this.nums = this.names.map(() => nanArray(this.capacity));
    this.cells = this.names.map(() => undefined);
    this.rows = 0;
    return batch;
  }

  private grow(): void {
    this.capacity *= 2;
    this.nums = this.nums.map((a) => {
      const b = nanArray(this.capacity);
      b.set(a);
      return b;
    });
  }
}
