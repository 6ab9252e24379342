// The comparison table (log and summary) and the run summary.
import { printTable } from '../../shared/src/log';
import { escapeMarkdown, MarkdownSummary } from '../../shared/src/summary';
import { displayUri } from '../../shared/src/untrusted';
import { formatNumber, GateEvaluation, GateResult } from './gate';
import type { Metrics } from './metrics';

export const TABLE_HEADERS = ['metric', 'candidate', 'production', 'delta', 'verdict'];

/** Rows: the gate metric first (with the verdict), then every other metric either side has (for information). */
export function comparisonRows(ev: GateEvaluation | undefined, candidate: Metrics, production: Metrics | undefined): string[][] {
  const names = new Set<string>();
  if (ev) names.add(ev.metric);
  for (const k of Object.keys(candidate).sort()) names.add(k);
  for (const k of Object.keys(production ?? {}).sort()) names.add(k);
  return [...names].map((name) => {
    const c = candidate[name];
    const p = production?.[name];
    const delta = c !== undefined && p !== undefined ? c - p : undefined;
    const sign = delta !== undefined && delta > 0 ? '+' : '';
    let verdict = '';
    if (ev && name === ev.metric) verdict = ev.result === 'failed' ? `failed${ev.threshold === 'failed' ? ' (threshold)' : ''}` : ev.result;
    return [name, formatNumber(c), formatNumber(p), delta === undefined ? '-' : `${sign}${formatNumber(delta)}`, verdict];
  });
}

export function printComparison(rows: string[][]): void {
  printTable(TABLE_HEADERS, rows);
}

export interface RunSummary {
  action: 'register' | 'promote';
  modelName: string;
  modelVersion?: string;
  gateResult: GateResult;
  registered: boolean;
  outcome: string;
  evaluation?: GateEvaluation;
  rows?: string[][];
  studioUrl?: string;
  source?: string;
}

export function writeSummary(s: RunSummary): void {
  const md = new MarkdownSummary();
  md.heading(s.action === 'promote' ? `Promote model ${s.modelName}` : `Register model ${s.modelName}`, 3);
  md.paragraph(escapeMarkdown(s.outcome));
  const facts: string[][] = [['model', s.modelName], ['version', s.modelVersion ?? '-'], ['gate', s.gateResult], ['registered', String(s.registered)]];
  if (s.source) facts.push(['source', displayUri(s.source)]);
  md.table(['', ''], facts);
  if (s.rows && s.rows.length) {
    md.heading(`Quality gate${s.evaluation ? ` on ${s.evaluation.metric}` : ''}`, 4);
    md.table(TABLE_HEADERS, s.rows);
    if (s.evaluation) md.paragraph(s.evaluation.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n'));
  }
  if (s.studioUrl) md.link('Open the model version in Azure ML studio', s.studioUrl);
  md.write(s.action === 'promote' ? 'Model promotion' : 'Model registration');
}
