// The monitor's computation, from row streams to verdicts: profile the reference, stream the window past
// it (joining labels on the way when there are any), judge drift and, with labels, the metric.
// Kept: counts, and per numeric column a sample of at most sampleSize numbers a side; rows are never held.
import type { GateDirection, MinImprovement } from '../../RegisterModel/src/gate';
import type { Row, RowBatches } from './data/cells';
import { driftReport, prepareReferenceModel, productionPlan, type DriftReport } from './judge/driftReport';
import type { DriftSettings } from './judge/settings';
import { profileRows } from './profile/dataProfile';
import { LabelJoin, type JoinCounts } from './quality/labelJoin';
import { compareMetric, type MetricComparison } from './quality/metricComparison';
import { isWindowMetric } from './quality/windowMetric';

export interface MonitorSources {
  reference: RowBatches;
  /** the window's model inputs (they may carry the prediction column too) */
  production: RowBatches;
  /** the window's model outputs, when collected apart (model_outputs) */
  predictions?: RowBatches;
  /** ground truth: rows with the correlation column and `labelColumn` */
  labels?: { rows: RowBatches; labelColumn: string };
}

export interface QualitySettings {
  metric: string;
  direction: GateDirection;
  maxDrop: MinImprovement;
  /** the model version's registered metrics */
  registered: Record<string, number>;
}

export interface MonitorResult {
  drift: DriftReport;
  quality?: MetricComparison & { join: JoinCounts };
}

export class MonitorInputError extends Error {
  constructor(readonly input: string, message: string) { super(message); this.name = 'MonitorInputError'; }
}

async function* tap(batches: RowBatches, each: (row: Row) => void): RowBatches {
  for await (const batch of batches) {
    for (const row of batch) each(row);
    yield batch;
  }
}

export interface MonitorHooks {
  /** the reference's columns, known before the first production row is read (names for positional payloads) */
  referenceColumns?(columns: readonly string[]): void;
}

export async function monitor(src: MonitorSources, s: DriftSettings, quality?: QualitySettings, hooks: MonitorHooks = {}): Promise<MonitorResult> {
  if (quality && !isWindowMetric(quality.metric)) {
    throw new MonitorInputError('gateMetric', `gateMetric: '${quality.metric}' cannot be computed on the window; expected one of rmse, mse, mae, r2, accuracy`);
  }
  if (src.labels && !s.predictionColumn) throw new MonitorInputError('predictionColumn', 'predictionColumn: is empty but labelsData is set; expected the column holding the model\'s prediction');
  const referenceProfile = await profileRows(src.reference, undefined, s.sampleSize);
  hooks.referenceColumns?.([...referenceProfile.columns.keys()]);
  const reference = prepareReferenceModel(referenceProfile, s);
  const plan = productionPlan(reference, s);

  let join: LabelJoin | undefined;
  if (src.labels) {
    join = new LabelJoin(s.correlationColumn, src.labels.labelColumn);
    await join.readLabels(src.labels.rows);
  }
  const offer = (row: Row): void => { if (s.predictionColumn && s.predictionColumn in row) join?.offer(row[s.correlationColumn], row[s.predictionColumn]); };
  const production = await profileRows(join && !src.predictions ? tap(src.production, offer) : src.production, plan, s.sampleSize);
  const predictions = src.predictions ? await profileRows(join ? tap(src.predictions, offer) : src.predictions, plan, s.sampleSize) : undefined;
  const drift = driftReport(reference, production, s, predictions);

  if (!join || !quality) return { drift };
  const { sums, counts } = join.finish();
  const comparison = compareMetric({
    metric: quality.metric, direction: quality.direction, window: isWindowMetric(quality.metric) ? sums.value(quality.metric) : undefined,
    pairs: counts.matched, minSamples: s.minSamples, registered: quality.registered, maxDrop: quality.maxDrop,
  });
  return { drift, quality: { ...comparison, join: counts } };
}
