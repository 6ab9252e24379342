// What a person reads: the log (sources, the per-feature table, the verdict), the run summary (the table, a
// histogram per drifted feature, the PSI trend, the metric) and the JUnit cases. Column names and paths come
// from the data, so every cell printed to the log is neutralised.
import { MarkdownSummary, printTable } from '../../../shared/src/task';
import { formatNumber } from '../../../RegisterModel/src/gate';
import { neutral } from '../devops/pipelines';
import type { FeatureResult } from '../judge/featureDrift';
import type { MonitorResult } from '../monitor';
import type { OpenedSource } from '../sources';
import { histogramSvg, trendSvg } from './charts';
import { featureCase, metricCase, type JUnitCase } from './junit';
import type { Trend } from './trend';

export const TABLE_HEADERS = ['feature', 'kind', 'PSI', 'KS', 'p-value', 'verdict'];

const num = (x: number | undefined, digits = 3): string => (x === undefined ? '' : Math.abs(x) >= 0.001 || x === 0 ? x.toFixed(digits) : x.toExponential(2));

export function featureRow(f: FeatureResult): string[] {
  return [f.name, f.kind, num(f.psi), num(f.ks?.statistic), f.ks ? f.ks.pValue.toExponential(2) : f.lInfinity !== undefined ? `L∞ ${num(f.lInfinity)}` : '', f.verdict];
}

export function judgedFeatures(r: MonitorResult): FeatureResult[] {
  return [...r.drift.features, ...(r.drift.prediction ? [{ ...r.drift.prediction, name: r.drift.prediction.name === 'prediction' ? 'prediction' : `${r.drift.prediction.name} (prediction)` }] : [])];
}

export function describeSource(s: OpenedSource): string {
  if (s.layout === 'collector' && s.collected) {
    const c = s.collected;
    const extra = [
      c.filesOutsideWindow ? `${c.filesOutsideWindow} file(s) outside the window not read` : '',
      c.envelopesOutsideWindow ? `${c.envelopesOutsideWindow} envelope(s) outside the window` : '',
      c.malformed ? `${c.malformed} malformed line(s), first at ${c.malformedAt.join(', ')}` : '',
      c.unreadable ? `${c.unreadable} unreadable envelope(s): ${c.unreadableWhy.join('; ')}` : '',
      c.inBlob ? `${c.inBlob} envelope(s) with the payload in a separate blob (not followed)` : '',
      c.notInLayout.length ? `files not in the YYYY/MM/DD/HH layout ignored: ${c.notInLayout.join(', ')}` : '',
    ].filter(Boolean);
    return neutral(`${c.records} record(s) from ${c.envelopes} envelope(s) in ${c.filesRead} collected file(s)${extra.length ? `; ${extra.join('; ')}` : ''}`, 600);
  }
  return neutral(`${s.tables?.length ?? 0} file(s): ${(s.tables ?? []).slice(0, 5).join(', ')}${(s.tables?.length ?? 0) > 5 ? ', …' : ''}`, 600);
}

export function printFeatureTable(r: MonitorResult): void {
  printTable([...TABLE_HEADERS, 'reason'], judgedFeatures(r).map((f) => [...featureRow(f), f.reason].map((c) => neutral(c, 200))));
}

export function junitCases(r: MonitorResult): JUnitCase[] {
  return [
    ...r.drift.features.map((f) => featureCase(f)),
    ...(r.drift.prediction ? [featureCase(r.drift.prediction, 'prediction')] : []),
    ...(r.quality ? [metricCase(r.quality)] : []),
  ];
}

export interface SummaryFacts {
  model: string;
  window: { from: Date; to: Date };
  verdictLine: string;
  referenceHow: string;
  production: string;
  trend: Trend;
  trendWhere: string;
  psiThreshold: number;
  retrainRun?: { id: number; webUrl: string; pipeline: string };
}

export function writeSummary(r: MonitorResult, f: SummaryFacts): string {
  const s = new MarkdownSummary();
  s.heading(`Model monitoring: ${f.model}`, 3);
  s.paragraph(`**${f.verdictLine}**`);
  s.table(['', ''], [
    ['Window', `${f.window.from.toISOString()} → ${f.window.to.toISOString()}`],
    ['Reference', `${f.referenceHow} (${r.drift.referenceRows} rows)`],
    ['Production', `${f.production} (${r.drift.productionRows} rows)`],
  ]);
  s.table(TABLE_HEADERS.concat('reason'), judgedFeatures(r).map((x) => [...featureRow(x), x.reason]));
  if (r.quality) {
    s.heading('Model quality on the window', 4);
    s.table(['metric', 'window', 'registered', 'verdict', 'reason'], [[r.quality.metric, formatNumber(r.quality.window), formatNumber(r.quality.registered), r.quality.verdict, r.quality.reason]]);
  }
  const drifted = judgedFeatures(r).filter((x) => x.verdict === 'drift' && x.bins?.length);
  for (const x of drifted) {
    s.heading(`${x.name}: reference vs production`, 4);
    s.image(`${x.name} histogram`, `monitor-${x.name.replace(/[^A-Za-z0-9_-]+/g, '_')}.svg`, histogramSvg(x));
  }
  const features = [...new Set(f.trend.runs.flatMap((run) => Object.keys(run.psi)))];
  if (f.trend.runs.length && features.length) {
    s.heading('PSI trend', 4);
    s.image('PSI trend', 'monitor-psi-trend.svg', trendSvg(f.trend.runs, f.psiThreshold, features));
    s.paragraph(`Kept in ${f.trendWhere} (the last ${f.trend.runs.length} run(s)).`);
  }
  if (f.retrainRun) s.paragraph(`Retraining queued: ${MarkdownSummary.linkText(`run ${f.retrainRun.id} of ${f.retrainRun.pipeline}`, f.retrainRun.webUrl)}`);
  return s.write(`Model monitoring ${f.model}`);
}
