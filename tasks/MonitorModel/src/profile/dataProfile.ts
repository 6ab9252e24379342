// Profiles a whole data set from its row batches: one ColumnProfile per column, created when the column
// is first seen (rows before that count as missing for it).
import type { RowBatches } from '../data/cells';
import { ColumnBatch } from '../data/columnBatch';
import { ColumnProfile, type ColumnOptions } from './columnProfile';

export type ColumnKind = 'numeric' | 'categorical';

export interface DataProfile {
  rows: number;
  /** columns in the order first seen */
  columns: Map<string, ColumnProfile>;
}

/** What production keeps of a column: its kind, and for numbers the reference's bin edges. */
export interface ColumnPlan {
  kind: ColumnKind;
  edges?: readonly number[];
}

/**
 * `plan` undefined (the reference): every column keeps numbers and categories, its kind is decided
 * afterwards. Given (production): each column keeps only what its kind needs; other columns are only named.
 */
export async function profileRows(batches: RowBatches, plan?: ReadonlyMap<string, ColumnPlan>, sampleSize?: number): Promise<DataProfile> {
  const columns = new Map<string, ColumnProfile>();
  let rows = 0;
  const optionsFor = (name: string): ColumnOptions => {
    if (!plan) return { numbers: true, categories: true, sampleSize };
    const p = plan.get(name);
    return { numbers: p?.kind === 'numeric', categories: p?.kind === 'categorical', edges: p?.edges, sampleSize };
  };
  // rows of one source mostly share their keys in one order: remember the last row's columns by position
  // and only look a name up when it differs (keys from JSON.parse or a CSV header compare by reference)
  const names: string[] = [];
  const cols: ColumnProfile[] = [];
  const columnOf = (name: string): ColumnProfile => {
    let col = columns.get(name);
    if (!col) { col = new ColumnProfile(name, optionsFor(name)); columns.set(name, col); }
    return col;
  };
  for await (const batch of batches) {
    if (batch instanceof ColumnBatch) {
      // column-wise: each column's typed array in one loop, no row objects
      for (let k = 0; k < batch.columns.length; k++) columnOf(batch.columns[k]).addColumn(batch.numbers[k], batch.others[k], batch.length);
      rows += batch.length;
      continue;
    }
    if (batch.columns) {
      // every row has exactly these keys: read them by name (3× cheaper than enumerating each row)
      const keys = batch.columns;
      const byKey = keys.map(columnOf);
      for (const row of batch) for (let k = 0; k < keys.length; k++) byKey[k].add(row[keys[k]]);
      rows += batch.length;
      continue;
    }
    for (const row of batch) {
      let k = 0;
      for (const name in row) {
        if (names[k] !== name) {
          names[k] = name;
          cols[k] = columnOf(name);
        }
        cols[k].add(row[name]);
        k++;
      }
    }
    rows += batch.length;
  }
  return { rows, columns };
}
