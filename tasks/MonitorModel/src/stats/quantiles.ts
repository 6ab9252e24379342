// Bin edges for numeric PSI from the reference's quantiles.

/**
 * Quantile p of an ascending sample as the inverted ECDF: the smallest value x with F(x) ≥ p (Hyndman &
 * Fan 1996, definition 1; numpy's method="inverted_cdf"). Edges are then values the reference holds, so a
 * discrete feature (0/1, counts) gets no edge between its values and no bin the reference never fills.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted needs a value');
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(n * p - 1e-9) - 1))];
}

/**
 * Inner edges of `bins` equal-frequency bins of the reference: the quantiles 1/bins … (bins−1)/bins,
 * duplicates dropped (a heavily tied value makes one wider bin rather than empty ones), and a last edge at
 * the reference's maximum. Bin i holds the values in (edge[i−1], edge[i]]; the first bin is open below,
 * and the bin past the maximum holds only production values above the reference's range (so a constant
 * reference column still tells 5 from 7).
 */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(sorted, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const max = sorted[sorted.length - 1];
  if (edges.length === 0 || edges[edges.length - 1] < max) edges.push(max);
  return edges;
}

/** Index of the bin of x for inner edges (binary search: the first edge ≥ x). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
