// The null distributions of the two-sample Kolmogorov–Smirnov statistic D. No maintained npm statistics
// package has them (@stdlib/stats-kstest is one-sample only; jstat and simple-statistics have no KS at
// all), so both are written here, each checked against R's published values in tests/kolmogorov.test.ts.
// The choice between them follows R's ks.test: exact when n·m < 10000 and there are no ties, else the
// limiting (Kolmogorov) distribution.

/**
 * P(K > x) for the Kolmogorov distribution K = lim √(nm/(n+m)) D. Two series, each fast where the other
 * is slow (Marsaglia, Tsang & Wang 2003, "Evaluating Kolmogorov's distribution"; R's pkstwo):
 * x < 1:  P(K ≤ x) = √(2π)/x Σ_{k≥1} exp(−(2k−1)²π²/(8x²));  x ≥ 1:  P(K > x) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²).
 */
export function kolmogorovSurvival(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    const z = -(Math.PI * Math.PI) / (8 * x * x);
    let sum = 0;
    for (let k = 1; k < 100; k += 2) {
      const term = Math.exp(k * k * z);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * sum));
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * Exact P(D_{m,n} < d) for two samples without ties: the share of monotone lattice paths from (0,0) to
 * (m,n) that stay within |i/m − j/n| ≤ q, counted with the ratio recurrence that keeps every term ≤ 1
 * (Hodges 1957; R's psmirnov2x). O(m·n) time, O(max(m,n)) memory: only for small samples.
 */
export function smirnovCdf(d: number, sizeA: number, sizeB: number): number {
  const m = Math.min(sizeA, sizeB);
  const n = Math.max(sizeA, sizeB);
  if (m < 1) return 1;
  // D only takes values i/(m·n); q sits half a step below d so that D = d counts as "not below d"
  const q = (0.5 + Math.floor(d * m * n - 1e-7)) / (m * n);
  const u = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) u[j] = j / n > q ? 0 : 1;
  for (let i = 1; i <= m; i++) {
    const w = i / (i + n);
    u[0] = i / m > q ? 0 : w * u[0];
    for (let j = 1; j <= n; j++) {
      u[j] = Math.abs(i / m - j / n) > q ? 0 : w * u[j] + u[j - 1];
    }
  }
  return Math.min(1, Math.max(0, u[n]));
}

export type KsPValueMethod = 'exact' | 'asymptotic';

/** Two-sided p-value of D for samples of sizes n and m, with the method R's ks.test would use. */
export function ksPValue(d: number, sizeA: number, sizeB: number, ties: boolean): { pValue: number; method: KsPValueMethod } {
  if (sizeA * sizeB < 10000 && !ties) return { pValue: 1 - smirnovCdf(d, sizeA, sizeB), method: 'exact' };
  const effective = (sizeA * sizeB) / (sizeA + sizeB);
  return { pValue: kolmogorovSurvival(Math.sqrt(effective) * d), method: 'asymptotic' };
}
