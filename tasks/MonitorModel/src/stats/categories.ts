// Category bins for categorical PSI and L∞: the reference's categories, with rare ones pooled and values
// never seen in the reference kept apart, so neither is dropped nor allowed to blow up the sum.

export const RARE = '(rare)';
export const UNSEEN = '(unseen)';
export const MISSING = '(missing)';

export interface CategoryBins {
  /** reference category → bin label (itself, or RARE) */
  binOf: Map<string, string>;
  /** bin labels in report order: frequent categories by reference count, then RARE */
  labels: string[];
}

/**
 * Categories with a reference share below `rareShare` share one RARE bin (a category seen 3 times in the
 * reference says nothing stable about its share). Production values outside the reference go to UNSEEN.
 */
export function categoryBins(reference: ReadonlyMap<string, number>, rareShare: number): CategoryBins {
  const total = [...reference.values()].reduce((a, b) => a + b, 0);
  const binOf = new Map<string, string>();
  const frequent = [...reference.entries()].filter(([, c]) => total > 0 && c / total >= rareShare).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [c] of frequent) binOf.set(c, c);
  let anyRare = false;
  for (const c of reference.keys()) if (!binOf.has(c)) { binOf.set(c, RARE); anyRare = true; }
  return { binOf, labels: [...frequent.map(([c]) => c), ...(anyRare ? [RARE] : [])] };
}

/** Counts per bin label (UNSEEN for categories the bins do not know). */
export function countByBin(bins: CategoryBins, counts: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [c, n] of counts) {
    const label = bins.binOf.get(c) ?? UNSEEN;
    out.set(label, (out.get(label) ?? 0) + n);
  }
  return out;
}
