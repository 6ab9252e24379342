// Profiles a whole data set from its row batches: one ColumnProfile per column, created when the column
// is first seen (rows before that count as missing for it).
import type { RowBatches } from '../data/cells';
import { ColumnProfile } from './columnProfile';

export type ColumnKind = 'numeric' | 'categorical';

export interface DataProfile {
  rows: number;
  /** columns in the order first seen */
  columns: Map<string, ColumnProfile>;
}

/**
 * `kinds` undefined (the reference): every column keeps numbers and categories, and its kind is decided
 * afterwards. Given (production): each column keeps only what its kind needs; other columns are only named.
 */
export async function profileRows(batches: RowBatches, kinds?: ReadonlyMap<string, ColumnKind>): Promise<DataProfile> {
  const columns = new Map<string, ColumnProfile>();
  let rows = 0;
  const keepFor = (name: string): { numbers: boolean; categories: boolean } => {
    if (!kinds) return { numbers: true, categories: true };
    const k = kinds.get(name);
    return { numbers: k === 'numeric', categories: k === 'categorical' };
  };
  for await (const batch of batches) {
    for (const row of batch) {
      for (const name in row) {
        let col = columns.get(name);
        if (!col) { col = new ColumnProfile(name, keepFor(name)); columns.set(name, col); }
        col.add(row[name]);
      }
    }
    rows += batch.length;
  }
  return { rows, columns };
}
