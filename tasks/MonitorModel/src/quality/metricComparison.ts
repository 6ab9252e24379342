// The window's metric against the model version's registered value: has it dropped by more than
// maxMetricDrop (an amount, or a percentage of the registered value, parsed like RegisterModel's
// minImprovement) in the metric's bad direction?
import { formatNumber, type GateDirection, type MinImprovement } from '../../../RegisterModel/src/gate';

export type MetricVerdict = 'degraded' | 'ok' | 'noBaseline' | 'insufficientData';

export interface MetricComparison {
  metric: string;
  verdict: MetricVerdict;
  reason: string;
  window?: number;
  registered?: number;
  /** how much worse the window is (positive = worse), in the metric's units */
  drop?: number;
  allowedDrop?: number;
  pairs: number;
}

export function compareMetric(o: {
  metric: string; direction: GateDirection; window: number | undefined; pairs: number; minSamples: number;
  registered: Record<string, number>; maxDrop: MinImprovement;
}): MetricComparison {
  const base = { metric: o.metric, pairs: o.pairs };
  if (o.pairs < o.minSamples || o.window === undefined) {
    return { ...base, verdict: 'insufficientData', reason: `${o.pairs} labelled prediction(s) in the window, fewer than minSamples ${o.minSamples}` };
  }
  const registered = o.registered[o.metric];
  if (registered === undefined || !Number.isFinite(registered)) {
    const known = Object.keys(o.registered);
    return { ...base, window: o.window, verdict: 'noBaseline', reason: `${o.metric} ${formatNumber(o.window)} on the window; the model version has no registered ${o.metric} (it has ${known.length ? known.join(', ') : 'none'})` };
  }
  const drop = o.direction === 'higherIsBetter' ? registered - o.window : o.window - registered;
  const allowed = o.maxDrop.kind === 'absolute' ? o.maxDrop.value : (o.maxDrop.value / 100) * Math.abs(registered);
  const degraded = drop > allowed + 1e-9 * Math.max(1, Math.abs(registered), Math.abs(o.window));
  const better = o.direction === 'higherIsBetter' ? 'higher' : 'lower';
  return {
    ...base, window: o.window, registered, drop, allowedDrop: allowed, verdict: degraded ? 'degraded' : 'ok',
    reason: `${o.metric} ${formatNumber(o.window)} on ${o.pairs} labelled prediction(s) vs ${formatNumber(registered)} registered (${better} is better): ` +
      `drop ${formatNumber(drop)} ${degraded ? '>' : '≤'} maxMetricDrop ${formatNumber(allowed)}${o.maxDrop.kind === 'percent' ? ` (${o.maxDrop.text})` : ''}`,
  };
}
