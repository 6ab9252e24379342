// The verdict on one feature (or the prediction): PSI over the reference's bins, KS for numbers, L∞ for
// categories, with every missing, NaN and invalid value counted on both sides.
import { ksTest, type KsResult } from '../stats/ks';
import { lInfinity, psiFromCounts, type PsiBin, type PsiResult } from '../stats/psi';
import { quantileEdges } from '../stats/quantiles';
import { categoryBins, countByBin, MISSING, UNSEEN } from '../stats/categories';
import type { ColumnProfile } from '../profile/columnProfile';
import type { DriftSettings } from './settings';

export type FeatureVerdict = 'drift' | 'noDrift' | 'insufficientData' | 'absent' | 'skipped';

export interface SideCounts {
  rows: number;
  /** values used: numbers (numeric) or categories (categorical) */
  values: number;
  missing: number;
  nan: number;
  invalid: number;
}

export interface FeatureResult {
  name: string;
  kind: 'numeric' | 'categorical' | 'unsupported';
  verdict: FeatureVerdict;
  /** why, in one line (thresholds and counts) */
  reason: string;
  psi?: number;
  ks?: KsResult;
  lInfinity?: number;
  reference: SideCounts;
  production?: SideCounts;
  /** reference vs production shares per bin, for the histogram */
  bins?: PsiResult['bins'];
}

/** A reference column made ready once: its sorted sample, bin edges and counts per bin, or category counts. */
export interface PreparedReference {
  name: string;
  kind: 'numeric' | 'categorical';
  counts: SideCounts;
  sorted?: Float64Array;
  edges?: number[];
  /** numbers per bin, estimated from the sample when the reference is larger than it */
  binCounts?: number[];
  categories?: Map<string, number>;
}

export function sideCounts(col: ColumnProfile | undefined, rows: number, kind: 'numeric' | 'categorical'): SideCounts {
  if (!col) return { rows, values: 0, missing: rows, nan: 0, invalid: 0 };
  const values = kind === 'numeric' ? col.numbers.seen : col.categorical;
  const nan = kind === 'numeric' ? col.nan : 0;
  const invalid = kind === 'numeric' ? col.invalid : 0;
  return { rows, values, missing: rows - values - nan - invalid, nan, invalid };
}

export function prepareReference(col: ColumnProfile, rows: number, kind: 'numeric' | 'categorical', s: DriftSettings): PreparedReference {
  const counts = sideCounts(col, rows, kind);
  if (kind === 'categorical') return { name: col.name, kind, counts, categories: col.categories ?? new Map() };
  const sorted = col.numbers.sorted();
  col.categories = undefined;
  const edges = sorted.length ? quantileEdges(sorted, s.bins) : [];
  // scaled from the sample to every number, so the bins and the missing bin share one total
  const scale = sorted.length ? counts.values / sorted.length : 0;
  return { name: col.name, kind, counts, sorted, edges, binCounts: countSorted(edges, sorted).map((c) => c * scale) };
}

/** Counts per bin by walking ascending values once against the edges. */
function countSorted(edges: readonly number[], sorted: Float64Array): number[] {
  const c = new Array<number>(edges.length + 1).fill(0);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i];
    while (b < edges.length && x > edges[b]) b++;
    c[b]++;
  }
  return c;
}

const fmt = (x: number): string => (Math.abs(x) >= 0.001 || x === 0 ? x.toFixed(3) : x.toExponential(2));
const notValues = (c: SideCounts): number => c.rows - c.values;

function edgeLabel(edges: readonly number[], i: number): string {
  const lo = i === 0 ? '-∞' : String(Number(edges[i - 1].toPrecision(6)));
  return i === edges.length ? `(${lo}, ∞)` : `(${lo}, ${Number(edges[i].toPrecision(6))}]`;
}

function numericBins(ref: PreparedReference, prodBins: readonly number[], prodCounts: SideCounts): PsiBin[] {
  const edges = ref.edges ?? [];
  const refBins = ref.binCounts ?? [];
  const bins: PsiBin[] = refBins.map((n, i) => ({ label: edgeLabel(edges, i), reference: n, production: prodBins[i] ?? 0 }));
  // missing, NaN and invalid values as one more bin: a feature that stops arriving is a shift too
  if (notValues(ref.counts) + notValues(prodCounts) > 0) bins.push({ label: MISSING, reference: notValues(ref.counts), production: notValues(prodCounts) });
  return bins;
}

function insufficient(ref: SideCounts, prod: SideCounts, s: DriftSettings): string | undefined {
  const min = Math.max(1, s.minSamples); // nothing at all is never enough
  if (ref.values < min) return `reference has ${ref.values} value(s), fewer than minSamples ${s.minSamples}`;
  if (prod.rows < min) return `production window has ${prod.rows} row(s), fewer than minSamples ${s.minSamples}`;
  return undefined;
}

export function judgeNumeric(ref: PreparedReference, prodCol: ColumnProfile | undefined, prodRows: number, s: DriftSettings): FeatureResult {
  const prod = sideCounts(prodCol, prodRows, 'numeric');
  const base = { name: ref.name, kind: 'numeric' as const, reference: ref.counts, production: prod };
  const short = insufficient(ref.counts, prod, s);
  if (short) return { ...base, verdict: 'insufficientData', reason: short };
  const values = prodCol ? prodCol.numbers.sorted() : new Float64Array(0);
  const psi = psiFromCounts(numericBins(ref, prodCol?.binCounts ?? [], prod));
  const ks = values.length >= s.minSamples ? ksTest(ref.sorted ?? new Float64Array(0), values) : undefined;
  const big = psi.psi >= s.psiThreshold;
  const significant = ks ? ks.pValue < s.ksPValue : big; // no KS on too few present values: PSI (with its missing bin) decides
  const drift = s.rule === 'both' ? big && significant : big || significant;
  const sampled = ks && (values.length < prod.values || (ref.sorted?.length ?? 0) < ref.counts.values) ? ` on samples of ${ref.sorted?.length} and ${values.length}` : '';
  const ksText = ks ? `KS ${fmt(ks.statistic)}${sampled} p ${fmt(ks.pValue)} ${ks.pValue < s.ksPValue ? '<' : '≥'} ${s.ksPValue}` : `KS not computed (${values.length} value(s) present)`;
  const reason = `PSI ${fmt(psi.psi)} ${big ? '≥' : '<'} ${s.psiThreshold}, ${ksText}${s.rule === 'both' ? ' (drift needs both)' : ' (drift needs either)'}`;
  return { ...base, verdict: drift ? 'drift' : 'noDrift', reason, psi: psi.psi, ...(ks ? { ks } : {}), bins: psi.bins };
}

export function judgeCategorical(ref: PreparedReference, prodCol: ColumnProfile | undefined, prodRows: number, s: DriftSettings): FeatureResult {
  const prod = sideCounts(prodCol, prodRows, 'categorical');
  const base = { name: ref.name, kind: 'categorical' as const, reference: ref.counts, production: prod };
  const short = insufficient(ref.counts, prod, s);
  if (short) return { ...base, verdict: 'insufficientData', reason: short };
  const refCats = ref.categories ?? new Map<string, number>();
  const bins = categoryBins(refCats, s.rareShare);
  const refBins = countByBin(bins, refCats);
  const prodBins = countByBin(bins, prodCol?.categories ?? new Map());
  const labels = [...bins.labels, ...(prodBins.has(UNSEEN) ? [UNSEEN] : [])];
  const psiBins: PsiBin[] = labels.map((l) => ({ label: l, reference: refBins.get(l) ?? 0, production: prodBins.get(l) ?? 0 }));
  if (notValues(ref.counts) + notValues(prod) > 0) psiBins.push({ label: MISSING, reference: notValues(ref.counts), production: notValues(prod) });
  const psi = psiFromCounts(psiBins);
  const linf = lInfinity(psi.bins);
  const drift = psi.psi >= s.psiThreshold;
  const reason = `PSI ${fmt(psi.psi)} ${drift ? '≥' : '<'} ${s.psiThreshold}, L∞ ${fmt(linf)}`;
  return { ...base, verdict: drift ? 'drift' : 'noDrift', reason, psi: psi.psi, lInfinity: linf, bins: psi.bins };
}
