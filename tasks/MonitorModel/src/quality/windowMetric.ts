// The model's metric on the window's labelled predictions, streamed (sums only), under the names the
// training job logs and RegisterModel's gate compares (examples/project: rmse, mae, r2; classifiers: accuracy).
import type { GateDirection } from '../../../RegisterModel/src/gate';

export const WINDOW_METRICS = ['rmse', 'mse', 'mae', 'r2', 'accuracy'] as const;
export type WindowMetricName = (typeof WINDOW_METRICS)[number];

/** The direction a metric improves in, when the user does not say. */
export const METRIC_DIRECTION: Record<WindowMetricName, GateDirection> = {
  rmse: 'lowerIsBetter', mse: 'lowerIsBetter', mae: 'lowerIsBetter', r2: 'higherIsBetter', accuracy: 'higherIsBetter',
};

export function isWindowMetric(name: string): name is WindowMetricName {
  return (WINDOW_METRICS as readonly string[]).includes(name);
}

/** Sums for every metric at once: regression metrics need numbers, accuracy compares texts. */
export class MetricSums {
  n = 0;
  numeric = 0;
  private sse = 0;
  private sae = 0;
  private sy = 0;
  private syy = 0;
  private correct = 0;

  add(label: string | number, prediction: string | number): void {
    this.n++;
    if (String(label) === String(prediction)) this.correct++;
    const y = Number(label);
    const f = Number(prediction);
    if (Number.isFinite(y) && Number.isFinite(f)) {
      this.numeric++;
      const e = y - f;
      this.sse += e * e;
      this.sae += Math.abs(e);
      this.sy += y;
      this.syy += y * y;
    }
  }

  /** The metric, or undefined when the pairs cannot give it (no numeric pairs, r2 of constant labels). */
  value(metric: WindowMetricName): number | undefined {
    if (metric === 'accuracy') return this.n ? this.correct / this.n : undefined;
    const k = this.numeric;
    if (!k) return undefined;
    switch (metric) {
      case 'mse': return this.sse / k;
      case 'rmse': return Math.sqrt(this.sse / k);
      case 'mae': return this.sae / k;
      case 'r2': {
        const sst = this.syy - (this.sy * this.sy) / k;
        return sst > 0 ? 1 - this.sse / sst : undefined;
      }
    }
  }
}
