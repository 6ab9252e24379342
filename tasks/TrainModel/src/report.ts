// What the task shows at the end: the metrics table, the failure details and the run summary page.
import { printTable, printUntrusted, group } from '../../shared/src/log';
import { escapeMarkdown, MarkdownSummary } from '../../shared/src/summary';
import { untrusted } from '../../shared/src/untrusted';
import type { Metrics, RunDetails } from './dataplane';

export function formatMetricValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

export function metricRows(metrics: Metrics): string[][] {
  return Object.entries(metrics).map(([k, v]) => [k, formatMetricValue(v)]);
}

export function printMetrics(metrics: Metrics): void {
  printTable(['metric', 'value'], metricRows(metrics));
}

export async function printFailure(details: RunDetails | undefined): Promise<void> {
  if (!details) return;
  // the job's error carries the user's traceback and its warnings come from the run: text from outside
  if (details.error) console.log(`Job error: ${untrusted(details.error)}`);
  for (const w of details.warnings) console.log(`Job warning: ${untrusted(w)}`);
  const tail = details.logTail;
  if (tail && tail.lines.length > 0) {
    await group(`Last ${tail.lines.length} lines of ${untrusted(tail.name)}`, async () => printUntrusted(tail.lines.join('\n')));
  }
}

export interface SummaryData {
  jobName: string;
  status: string;
  studioUrl: string;
  experimentName: string;
  compute: string;
  environment: string;
  code: { name: string; version: string; reused: boolean; files: number; bytes: string };
  reattached: boolean;
  metrics: Metrics;
  modelOutputUri: string;
  error?: string;
}

export function summaryMarkdown(d: SummaryData): MarkdownSummary {
  const s = new MarkdownSummary();
  s.heading(`Azure ML job ${d.jobName}: ${d.status}`, 3);
  s.table(['', ''], [
    ['Job', MarkdownSummary.linkText(d.jobName, d.studioUrl)],
    ['Status', d.status + (d.reattached ? ' (re-attached to the job of an earlier attempt)' : '')],
    ['Experiment', d.experimentName],
    ['Compute', d.compute],
    ['Environment', d.environment],
    ['Code', `${d.code.name.slice(0, 12)}…:${d.code.version} (${d.code.files} files, ${d.code.bytes}; ${d.code.reused ? 'reused, nothing uploaded' : 'uploaded'})`],
    ['Model output', d.modelOutputUri],
  ]);
  if (d.error) s.paragraph(`**Error:** ${escapeMarkdown(d.error)}`);
  const rows = metricRows(d.metrics);
  if (rows.length > 0) {
    s.heading('Metrics', 4);
    s.table(['Metric', 'Value'], rows);
  }
  return s;
}
