// What a reader yields: rows of scalar cells, in batches (one await per batch, not per row), either as row
// objects or column-wise (ColumnBatch: typed arrays of numbers, iterable as rows too).
import type { ColumnBatch } from './columnBatch';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;
/**
 * A batch of rows. `columns`, when a reader sets it, says every row of the batch has exactly these keys
 * (a CSV header, a Parquet schema), so a consumer may read them by name instead of enumerating each row.
 */
export type RowBatch = (Row[] & { columns?: readonly string[] }) | ColumnBatch;
export type RowBatches = AsyncIterable<RowBatch>;

/** Bytes as a reader takes them: a file stream, a blob download, a Buffer in a test. */
export type ByteSource = AsyncIterable<Uint8Array>;

export type NumberReading =
  | { kind: 'number'; value: number }
  | { kind: 'missing' } // absent, null, empty text
  | { kind: 'nan' } // NaN, or text that says NaN
  | { kind: 'invalid' }; // text that is not a number, a boolean, …

const MISSING: NumberReading = { kind: 'missing' };
const NAN: NumberReading = { kind: 'nan' };
const INVALID: NumberReading = { kind: 'invalid' };

/** Reads a cell as a number, saying why when it is not one (each reason is counted, never dropped silently). */
export function readNumber(cell: Cell): NumberReading {
  if (typeof cell === 'number') return Number.isNaN(cell) ? NAN : { kind: 'number', value: cell };
  if (cell === null || cell === undefined) return MISSING;
  if (typeof cell !== 'string') return INVALID;
  const t = cell.trim();
  if (t === '') return MISSING;
  const v = Number(t);
  if (!Number.isNaN(v)) return { kind: 'number', value: v };
  return /^[+-]?nan$/i.test(t) ? NAN : INVALID;
}

/** A cell as a category: its text; undefined when missing. */
export function readCategory(cell: Cell): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  const t = typeof cell === 'string' ? cell.trim() : String(cell);
  return t === '' ? undefined : t;
}
