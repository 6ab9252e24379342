// Ground truth joined to predictions on the correlation id. Labels are read first into a map (they are
// usually far fewer than the window's rows); predictions then stream past it. An id seen twice on either
// side is ambiguous (the collector batches requests under one id unless the scoring script logs its own
// id column) and is counted, not guessed at.
import { readCategory, type Cell, type RowBatches } from '../data/cells';
import { MetricSums } from './windowMetric';

interface LabelEntry {
  label: string;
  prediction?: string;
  uses: number;
  duplicateLabel: boolean;
}

export interface JoinCounts {
  labels: number;
  labelsWithoutId: number;
  matched: number;
  /** ids with two labels or two predictions */
  ambiguous: number;
  /** labels no prediction in the window matched */
  unmatchedLabels: number;
}

export class LabelJoin {
  private readonly byId = new Map<string, LabelEntry>();
  private labelsWithoutId = 0;
  private labels = 0;

  constructor(private readonly idColumn: string, private readonly labelColumn: string) {}

  async readLabels(batches: RowBatches): Promise<void> {
    for await (const batch of batches) {
      for (const row of batch) {
        this.labels++;
        const id = readCategory(row[this.idColumn]);
        const label = readCategory(row[this.labelColumn]);
        if (id === undefined || label === undefined) { this.labelsWithoutId++; continue; }
        const seen = this.byId.get(id);
        if (seen) seen.duplicateLabel = true;
        else this.byId.set(id, { label, uses: 0, duplicateLabel: false });
      }
    }
  }

  /** Offers one production row's prediction. */
  offer(id: Cell, prediction: Cell): void {
    const key = readCategory(id);
    const p = readCategory(prediction);
    if (key === undefined || p === undefined) return;
    const e = this.byId.get(key);
    if (!e) return;
    e.uses++;
    e.prediction = p;
  }

  finish(): { sums: MetricSums; counts: JoinCounts } {
    const sums = new MetricSums();
    let ambiguous = 0;
    let unmatched = 0;
    for (const e of this.byId.values()) {
      if (e.uses === 0) unmatched++;
      else if (e.uses > 1 || e.duplicateLabel) ambiguous++;
      else sums.add(e.label, e.prediction as string);
    }
    return { sums, counts: { labels: this.labels, labelsWithoutId: this.labelsWithoutId, matched: sums.n, ambiguous, unmatchedLabels: unmatched } };
  }
}
