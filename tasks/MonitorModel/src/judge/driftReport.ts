// The verdict on a window: every watched feature and the prediction judged against the reference, and
// the overall verdict. "No drift" is only said when every watched feature had enough data.
import type { ColumnPlan, DataProfile } from '../profile/dataProfile';
import { decideKind } from './columnKinds';
import { judgeCategorical, judgeNumeric, prepareReference, sideCounts, type FeatureResult, type PreparedReference } from './featureDrift';
import { selectFeatures, type SchemaDiff } from './schema';
import type { DriftSettings } from './settings';

export type OverallVerdict = 'drift' | 'noDrift' | 'insufficientData';

export interface DriftReport {
  verdict: OverallVerdict;
  /** one line for the log and the task result */
  summary: string;
  features: FeatureResult[];
  prediction?: FeatureResult;
  driftedFeatures: string[];
  worstPsi?: number;
  schema: SchemaDiff;
  referenceRows: number;
  productionRows: number;
}

/** Reference columns made ready once (sorted numbers, bins, categories), with their kinds. */
export interface ReferenceModel {
  rows: number;
  columns: string[];
  prepared: Map<string, PreparedReference>;
  unsupported: Map<string, string>;
}

export function prepareReferenceModel(profile: DataProfile, s: DriftSettings): ReferenceModel {
  const prepared = new Map<string, PreparedReference>();
  const unsupported = new Map<string, string>();
  for (const [name, col] of profile.columns) {
    if (name === s.correlationColumn) continue;
    const k = decideKind(col, s.categoricalFeatures.includes(name));
    if (k.kind === 'unsupported') unsupported.set(name, k.why);
    else prepared.set(name, prepareReference(col, profile.rows, k.kind, s));
  }
  return { rows: profile.rows, columns: [...profile.columns.keys()], prepared, unsupported };
}

/** What production keeps per column: the reference's kind and bin edges, for the features and the prediction. */
export function productionPlan(ref: ReferenceModel, s: DriftSettings): Map<string, ColumnPlan> {
  const plan = new Map<string, ColumnPlan>();
  const of = (p: PreparedReference): ColumnPlan => ({ kind: p.kind, ...(p.edges ? { edges: p.edges } : {}) });
  for (const [name, p] of ref.prepared) if (name !== s.targetColumn) plan.set(name, of(p));
  const target = s.targetColumn ? ref.prepared.get(s.targetColumn) : undefined;
  if (target && s.predictionColumn) plan.set(s.predictionColumn, of(target));
  return plan;
}

function judge(ref: PreparedReference, prod: DataProfile, column: string, s: DriftSettings): FeatureResult {
  const col = prod.columns.get(column);
  return ref.kind === 'numeric' ? judgeNumeric(ref, col, prod.rows, s) : judgeCategorical(ref, col, prod.rows, s);
}

export function driftReport(ref: ReferenceModel, prod: DataProfile, s: DriftSettings, predictions?: DataProfile): DriftReport {
  // an empty window lacks every column: that is no data, not a different schema
  const selection = selectFeatures(ref.columns, prod.rows > 0 ? [...prod.columns.keys()] : ref.columns, s);
  const enoughRows = prod.rows >= Math.max(1, s.minSamples);
  const features: FeatureResult[] = selection.features.map((name) => {
    const why = ref.unsupported.get(name);
    const p = ref.prepared.get(name);
    if (why || !p) return { name, kind: 'unsupported', verdict: 'skipped', reason: why ?? 'not judged', reference: { rows: ref.rows, values: 0, missing: 0, nan: 0, invalid: 0 } };
    if (!prod.columns.has(name) && enoughRows) return { name, kind: p.kind, verdict: 'absent', reason: 'not in the production data', reference: p.counts, production: sideCounts(undefined, prod.rows, p.kind) };
    return judge(p, prod, name, s);
  });
  let prediction: FeatureResult | undefined;
  const target = s.targetColumn ? ref.prepared.get(s.targetColumn) : undefined;
  if (target && s.predictionColumn) {
    const source = predictions ?? prod;
    prediction = source.columns.has(s.predictionColumn)
      ? { ...judge(target, source, s.predictionColumn, s), name: s.predictionColumn }
      : { name: s.predictionColumn, kind: target.kind, verdict: 'absent', reason: 'no predictions in the production data', reference: target.counts };
  }
  const judged = [...features, ...(prediction ? [prediction] : [])];
  const driftedFeatures = features.filter((f) => f.verdict === 'drift').map((f) => f.name);
  const psis = judged.map((f) => f.psi).filter((x): x is number => x !== undefined);
  const worstPsi = psis.length ? Math.max(...psis) : undefined;
  const unsure = features.filter((f) => f.verdict === 'insufficientData' || f.verdict === 'absent');
  const anyDrift = judged.some((f) => f.verdict === 'drift');
  let verdict: OverallVerdict;
  let summary: string;
  if (anyDrift) {
    verdict = 'drift';
    const names = [...driftedFeatures, ...(prediction?.verdict === 'drift' ? [`prediction ${prediction.name}`] : [])];
    summary = `drift in ${names.join(', ')} (worst PSI ${worstPsi?.toFixed(3)})`;
  } else if (features.length === 0 || unsure.length > 0) {
    verdict = 'insufficientData';
    summary = features.length === 0
      ? `insufficient data: no feature to judge (reference columns: ${ref.columns.join(', ') || 'none'})`
      : `insufficient data: ${unsure.map((f) => `${f.name} (${f.reason})`).join('; ')}; production window has ${prod.rows} row(s)`;
  } else {
    verdict = 'noDrift';
    summary = `no drift in ${features.length} feature(s) over ${prod.rows} row(s) (worst PSI ${worstPsi?.toFixed(3)})`;
  }
  return { verdict, summary, features, ...(prediction ? { prediction } : {}), driftedFeatures, ...(worstPsi !== undefined ? { worstPsi } : {}), schema: selection.schema, referenceRows: ref.rows, productionRows: prod.rows };
}
