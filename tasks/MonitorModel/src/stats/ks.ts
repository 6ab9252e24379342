// Two-sample Kolmogorov–Smirnov statistic D = sup |F_ref(x) − F_prod(x)| over sorted samples.
import { ksPValue, type KsPValueMethod } from './kolmogorov';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: KsPValueMethod;
  /** a value occurs more than once across the samples (then the p-value is the asymptotic one) */
  ties: boolean;
}

/**
 * D from two ascending samples. Both ECDFs are stepped together past each distinct value (all copies of a
 * tied value at once), so ties are counted as the ECDF defines them.
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; ties: boolean } {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  let ties = false;
  while (i < n && j < m) {
    const x = a[i] <= b[j] ? a[i] : b[j];
    let copies = 0;
    while (i < n && a[i] === x) { i++; copies++; }
    while (j < m && b[j] === x) { j++; copies++; }
    if (copies > 1) ties = true;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  if (!ties) ties = hasRepeat(a, i) || hasRepeat(b, j);
  return { statistic: d, ties };
}

/** Whether the rest of a sorted sample (from `from`, past the other sample's end) repeats a value. */
function hasRepeat(s: ArrayLike<number>, from: number): boolean {
  for (let k = Math.max(1, from); k < s.length; k++) if (s[k] === s[k - 1]) return true;
  return false;
}

/** The two-sided test on two ascending samples (at least one value each). */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('ksTest needs at least one value in each sample');
  const { statistic, ties } = ksStatistic(a, b);
  const { pValue, method } = ksPValue(statistic, a.length, b.length, ties);
  return { statistic, pValue, method, ties };
}
