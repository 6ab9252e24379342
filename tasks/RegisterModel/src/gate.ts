// The quality gate: pure functions, no I/O. A candidate passes when it reaches the threshold (a bound,
// equal passes) and is at least `minImprovement` better than production in the stated direction.
import { GateInputError } from '../../shared/src/errors';

export type GateDirection = 'higherIsBetter' | 'lowerIsBetter';
export type GateResult = 'passed' | 'failed' | 'noBaseline' | 'skipped';

/** Required improvement over production: an absolute amount or a percentage of |production|. */
export interface MinImprovement {
  kind: 'absolute' | 'percent';
  value: number; // >= 0
  text: string; // as the user wrote it, for messages
}

export interface GateSettings {
  metric: string;
  direction: GateDirection;
  threshold?: number;
  compareWithProduction: boolean;
  minImprovement: MinImprovement;
}

/** The production side of the comparison, when there is a production version. */
export interface Baseline {
  version: string;
  value?: number; // undefined: production has no value for the metric
}

export type CheckVerdict = 'passed' | 'failed' | 'noBaseline' | 'notChecked';

export interface GateEvaluation {
  result: Exclude<GateResult, 'skipped'>;
  metric: string;
  candidate: number;
  production?: number;
  productionVersion?: string;
  /** candidate - production (raw difference, whatever the direction). */
  delta?: number;
  /** Improvement in the good direction (positive = better than production). */
  improvement?: number;
  /** Improvement the comparison required (after resolving a percentage). */
  requiredImprovement?: number;
  threshold: CheckVerdict;
  comparison: CheckVerdict;
  /** One line per check, for the log and the summary. */
  reasons: string[];
  /** Why the comparison had no baseline (no production version, or it lacks the metric). */
  noBaselineReason?: 'noProduction' | 'productionLacksMetric' | 'notCompared';
}

export { GateInputError };

const NUMBER = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses `minImprovement`: a non-negative number (`0.01`) or a non-negative percentage (`1%`, `0.5 %`).
 * Returns undefined when the text is not one of those (the caller names the input in its error).
 */
export function parseMinImprovement(text: string): MinImprovement | undefined {
  const t = text.trim();
  const percent = t.endsWith('%');
  const body = percent ? t.slice(0, -1).trim() : t;
  if (!NUMBER.test(body)) return undefined;
  const value = Number(body);
  if (!Number.isFinite(value) || value < 0) return undefined;
  return { kind: percent ? 'percent' : 'absolute', value, text: t };
}

/** Floating-point slack so that 0.91 - 0.90 counts as an improvement of 0.01. */
function epsilon(...values: number[]): number {
  return 1e-9 * Math.max(1, ...values.map((v) => Math.abs(v)));
}

export function formatNumber(n: number | undefined): string {
  if (n === undefined) return '-';
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(10)));
}

/**
 * Evaluates the gate.
 * - threshold: higherIsBetter passes when candidate >= threshold, lowerIsBetter when candidate <= threshold.
 * - comparison (when compareWithProduction and a baseline value exists): improvement = candidate - production
 *   (higherIsBetter) or production - candidate (lowerIsBetter); required = the absolute amount or
 *   percent/100 * |production|. With a required improvement of 0 the candidate must not be worse (a tie
 *   passes); with any improvement configured (> 0, or a percentage > 0 even of a production value of 0)
 *   a tie fails and the improvement must reach the required amount.
 * - result: failed if a check failed; noBaseline if the comparison was wanted but had nothing to compare
 *   with; else passed.
 */
export function evaluateGate(settings: GateSettings, candidateMetrics: Record<string, number>, baseline: Baseline | undefined): GateEvaluation {
  const { metric, direction } = settings;
  const candidate = candidateMetrics[metric];
  if (candidate === undefined || typeof candidate !== 'number' || !Number.isFinite(candidate)) {
    const known = Object.keys(candidateMetrics);
    throw new GateInputError(
      `Gate metric '${metric}' is not among the candidate's metrics (${known.length ? known.join(', ') : 'none'}). ` +
        `Expected a metric the training job logs (or a key of metricsFile).`,
    );
  }
  const better = direction === 'higherIsBetter' ? 'higher' : 'lower';
  const ev: GateEvaluation = { result: 'passed', metric, candidate, threshold: 'notChecked', comparison: 'notChecked', reasons: [] };

  if (settings.threshold !== undefined) {
    const t = settings.threshold;
    const eps = epsilon(candidate, t);
    const ok = direction === 'higherIsBetter' ? candidate >= t - eps : candidate <= t + eps;
    ev.threshold = ok ? 'passed' : 'failed';
    ev.reasons.push(
      `threshold: ${metric} ${formatNumber(candidate)} ${direction === 'higherIsBetter' ? '>=' : '<='} ${formatNumber(t)} ` +
        `${ok ? 'passed' : `failed (${better} is better)`}`,
    );
  }

  if (!settings.compareWithProduction) {
    ev.noBaselineReason = 'notCompared';
  } else if (baseline === undefined) {
    ev.comparison = 'noBaseline';
    ev.noBaselineReason = 'noProduction';
    ev.reasons.push('production: no production version to compare with (noBaseline)');
  } else if (baseline.value === undefined || !Number.isFinite(baseline.value)) {
    ev.comparison = 'noBaseline';
    ev.noBaselineReason = 'productionLacksMetric';
    ev.productionVersion = baseline.version;
    ev.reasons.push(`production: version ${baseline.version} has no value for ${metric} (noBaseline)`);
  } else {
    const p = baseline.value;
    ev.production = p;
    ev.productionVersion = baseline.version;
    ev.delta = candidate - p;
    const improvement = direction === 'higherIsBetter' ? candidate - p : p - candidate;
    const mi = settings.minImprovement;
    const required = mi.kind === 'absolute' ? mi.value : (mi.value / 100) * Math.abs(p);
    const anyRequired = mi.value > 0;
    const eps = epsilon(candidate, p, required);
    const tie = Math.abs(candidate - p) <= eps;
    const ok = anyRequired ? !tie && improvement > 0 && improvement >= required - eps : improvement >= -eps;
    ev.improvement = improvement;
    ev.requiredImprovement = required;
    ev.comparison = ok ? 'passed' : 'failed';
    const need = anyRequired
      ? `required improvement ${formatNumber(required)}${mi.kind === 'percent' ? ` (${mi.text} of ${formatNumber(Math.abs(p))})` : ''}`
      : 'must not be worse';
    ev.reasons.push(
      `production: ${metric} ${formatNumber(candidate)} vs ${formatNumber(p)} (version ${baseline.version}), ` +
        `improvement ${formatNumber(improvement)} (${better} is better), ${need}: ` +
        `${ok ? 'passed' : tie && anyRequired ? 'failed (a tie is not an improvement)' : 'failed'}`,
    );
  }

  if (ev.threshold === 'failed' || ev.comparison === 'failed') ev.result = 'failed';
  else if (ev.comparison === 'noBaseline') ev.result = 'noBaseline';
  else ev.result = 'passed';
  return ev;
}

/** One-line summary of a failed evaluation, for the task result message. */
export function failureText(ev: GateEvaluation): string {
  return ev.reasons.filter((r) => r.includes('failed')).join('; ');
}
