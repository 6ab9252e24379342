// Latency statistics of the measured requests.
//
// Percentile definition (documented in README.md): nearest-rank. For N samples sorted ascending,
// the P-th percentile is the sample at rank ceil(P/100 * N) (1-based): the smallest measured latency
// such that at least P% of the requests took that long or less. It is always a latency that was
// really measured (no interpolation), and p100 is the maximum.

export interface LatencyStats {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; p in (0, 100]. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  // p/100*n in floating point can land a hair above an integer (0.95*100 = 95.00000000000001):
  // round to 9 decimals before ceil so exact ranks stay exact.
  const rank = Math.ceil(Math.round((p / 100) * n * 1e9) / 1e9);
  return sortedAscending[Math.min(Math.max(rank, 1), n) - 1];
}

/** min/mean/p50/p90/p95/p99/max of all samples (milliseconds); NaN everywhere for no samples. */
export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const sorted = Float64Array.from(samplesMs).sort();
  const arr = Array.from(sorted);
  const n = arr.length;
  const sum = arr.reduce((a, b) => a + b, 0);
  return {
    count: n,
    min: n ? arr[0] : Number.NaN,
    mean: n ? sum / n : Number.NaN,
    p50: percentile(arr, 50),
    p90: percentile(arr, 90),
    p95: percentile(arr, 95),
    p99: percentile(arr, 99),
    max: n ? arr[n - 1] : Number.NaN,
  };
}

/** Milliseconds for display and output variables: 2 decimals, '' for NaN. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(2) : '';
}

/** A ratio (0-1) for display and output variables: up to 4 decimals, '' for NaN. */
export function formatRatio(r: number): string {
  return Number.isFinite(r) ? String(Math.round(r * 10000) / 10000) : '';
}
