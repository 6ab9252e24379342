// Population stability index: Σ (p_i − q_i)·ln(p_i / q_i) over bins, p = production shares, q = reference
// shares. A bin empty on one side makes the log infinite; its share is floored at EMPTY_BIN_SHARE (the
// usual practice, e.g. Siddiqi, "Credit Risk Scorecards"), so one empty bin weighs heavily but finitely.

export const EMPTY_BIN_SHARE = 1e-4;

export interface PsiBin {
  label: string;
  reference: number;
  production: number;
}

export interface PsiResult {
  psi: number;
  /** per bin: shares and its term of the sum, for the report's histogram */
  bins: { label: string; referenceShare: number; productionShare: number; term: number }[];
}

/** PSI from counts per bin (same bins on both sides). Both totals must be positive. */
export function psiFromCounts(bins: readonly PsiBin[]): PsiResult {
  const refTotal = bins.reduce((s, b) => s + b.reference, 0);
  const prodTotal = bins.reduce((s, b) => s + b.production, 0);
  if (!(refTotal > 0) || !(prodTotal > 0)) throw new RangeError('psiFromCounts needs counts on both sides');
  const out: PsiResult['bins'] = [];
  let psi = 0;
  for (const b of bins) {
    const q = b.reference / refTotal;
    const p = b.production / prodTotal;
    const term = p === q ? 0 : (Math.max(p, EMPTY_BIN_SHARE) - Math.max(q, EMPTY_BIN_SHARE)) * Math.log(Math.max(p, EMPTY_BIN_SHARE) / Math.max(q, EMPTY_BIN_SHARE));
    psi += term;
    out.push({ label: b.label, referenceShare: q, productionShare: p, term });
  }
  return { psi, bins: out };
}

/** L∞ (Chebyshev) distance between two share vectors: the largest change of any one share. */
export function lInfinity(bins: readonly { referenceShare: number; productionShare: number }[]): number {
  let d = 0;
  for (const b of bins) d = Math.max(d, Math.abs(b.productionShare - b.referenceShare));
  return d;
}
