// The window judged: the plan's locations opened as rows (collected files for the window only) and streamed
// through the monitor's computation; a reference whose columns differ from production's is named here.
import { TaskError } from '../../shared/src/task';
import type { EnvelopeOptions } from './data/collectorEnvelope';
import { schemaMessage } from './judge/schema';
import { monitor, MonitorInputError, type MonitorResult } from './monitor';
import type { MonitorInputs } from './inputs';
import type { MonitorPlan } from './prepare';
import { openSource, type OpenedSource } from './sources';

export interface JudgedWindow {
  result: MonitorResult;
  production: OpenedSource;
  reference: OpenedSource;
  predictions?: OpenedSource;
}

export async function judgeWindow(p: MonitorInputs, plan: MonitorPlan): Promise<JudgedWindow> {
  const envelope: EnvelopeOptions = { correlationColumn: p.settings.correlationColumn, valueColumn: p.settings.predictionColumn ?? 'prediction' };
  // a request logged as positions ({"data": [[21.5, 80, 1]]}) names them after the reference's feature columns, in order
  const notFeatures = new Set([p.settings.correlationColumn, p.settings.targetColumn, p.settings.predictionColumn]);
  const hooks = { referenceColumns: (columns: readonly string[]) => { envelope.positionalColumns = columns.filter((c) => !notFeatures.has(c)); } };
  const reference = await openSource(plan.reference.location, 'referenceData', { envelope });
  const production = await openSource(plan.production, 'productionData', { window: p.window, envelope });
  const predictions = plan.predictions ? await openSource(plan.predictions, 'predictionsData', { window: p.window, envelope }) : undefined;
  const labels = plan.labels && p.labelColumn ? { rows: (await openSource(plan.labels, 'labelsData', { envelope })).rows, labelColumn: p.labelColumn } : undefined;
  const quality = p.quality ? { ...p.quality, registered: plan.registered } : undefined;
  let result: MonitorResult;
  try {
    result = await monitor({ reference: reference.rows, production: production.rows, ...(predictions ? { predictions: predictions.rows } : {}), ...(labels ? { labels } : {}) }, p.settings, quality, hooks);
  } catch (e) {
    if (e instanceof MonitorInputError) throw new TaskError(`Input '${e.input}': ${e.message.replace(/^[^:]+: /, '')}.`);
    throw e;
  }
  const d = result.drift;
  if (d.schema.unknown.length) {
    throw new TaskError(`Input '${p.settings.features.some((f) => d.schema.unknown.includes(f)) ? 'features' : 'ignoreFeatures'}': names column(s) the reference lacks: ${d.schema.unknown.join(', ')}. Expected column names of the reference (${plan.reference.how}).`);
  }
  if (d.productionRows > 0 && d.schema.missing.length) {
    throw new TaskError(`The reference (${plan.reference.how}) and the production data have different columns: ${schemaMessage(d.schema)}. Expected the model's input columns on both sides (or list the features to watch in 'features').`);
  }
  return { result, production, reference, ...(predictions ? { predictions } : {}) };
}
