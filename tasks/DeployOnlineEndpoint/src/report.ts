// What the run leaves behind: the output variables and a summary with the rollout as a table and a chart
// (green's traffic share as bars, p95 of green and blue as lines, one column per step).
import { MarkdownSummary, setOutput } from '../../shared/src/task';
import type { StepRow } from './rolloutRun';

export interface RolloutReport {
  endpoint: string;
  green: string;
  blue?: string;
  scoringUri: string;
  swaggerUri: string;
  model: string;
  green_action: 'created' | 'reused';
  rows: StepRow[];
  outcome: string;
  deletedOld?: string;
}

export function setOutputs(r: Pick<RolloutReport, 'scoringUri' | 'green' | 'blue' | 'swaggerUri'>): void {
  setOutput('scoringUri', r.scoringUri);
  setOutput('deploymentName', r.green);
  setOutput('previousDeployment', r.blue ?? '');
  setOutput('swaggerUri', r.swaggerUri);
}

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');

/** SVG: per step a bar of green's share (live solid, mirrored hatched) and p95 points for green and blue. */
export function rolloutChart(rows: readonly StepRow[]): string {
  const W = 640;
  const H = 260;
  const left = 50;
  const right = 50;
  const top = 20;
  const bottom = 60;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const n = Math.max(rows.length, 1);
  const col = plotW / n;
  const p95s = rows.flatMap((r) => [r.greenP95Ms, r.blueP95Ms]).filter((v) => Number.isFinite(v));
  const maxP95 = Math.max(1, ...p95s) * 1.1;
  const y = (pct: number): number => top + plotH - (pct / 100) * plotH;
  const yMs = (v: number): number => top + plotH - (v / maxP95) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="11">`,
    '<defs><pattern id="m" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#9ecae1"/></pattern></defs>',
    `<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="#444"/>`,
    `<text x="${left - 6}" y="${y(100) + 4}" text-anchor="end">100 %</text><text x="${left - 6}" y="${y(0) + 4}" text-anchor="end">0 %</text>`,
    `<text x="${W - right + 6}" y="${yMs(maxP95 / 1.1) + 4}">${esc(ms(maxP95 / 1.1))} ms</text>`,
  ];
  const green: string[] = [];
  const blue: string[] = [];
  rows.forEach((r, i) => {
    const x = left + i * col;
    const share = r.greenMirror > 0 ? r.greenMirror : r.greenLive;
    const fill = r.greenMirror > 0 ? 'url(#m)' : r.result === 'failed' ? '#e6550d' : '#3182bd';
    parts.push(`<rect x="${(x + col * 0.2).toFixed(1)}" y="${y(share).toFixed(1)}" width="${(col * 0.6).toFixed(1)}" height="${(y(0) - y(share)).toFixed(1)}" fill="${fill}"><title>${esc(r.step)}: green ${share} %${r.greenMirror > 0 ? ' mirrored' : ''}</title></rect>`);
    parts.push(`<text x="${(x + col / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${esc(r.step)}</text>`);
    parts.push(`<text x="${(x + col / 2).toFixed(1)}" y="${top + plotH + 30}" text-anchor="middle" fill="${r.result === 'failed' ? '#e6550d' : '#444'}">${esc(r.result)}</text>`);
    if (Number.isFinite(r.greenP95Ms)) green.push(`${(x + col / 2).toFixed(1)},${yMs(r.greenP95Ms).toFixed(1)}`);
    if (Number.isFinite(r.blueP95Ms)) blue.push(`${(x + col / 2).toFixed(1)},${yMs(r.blueP95Ms).toFixed(1)}`);
  });
  if (green.length) parts.push(`<polyline points="${green.join(' ')}" fill="none" stroke="#31a354" stroke-width="2"/>`, ...green.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="#31a354"/>`));
  if (blue.length) parts.push(`<polyline points="${blue.join(' ')}" fill="none" stroke="#636363" stroke-width="2" stroke-dasharray="4 3"/>`, ...blue.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="#636363"/>`));
  parts.push(
    `<text x="${left}" y="${H - 8}">bars: green's traffic share (hatched: mirrored) · green line: green p95 · dashed: blue p95</text>`,
    '</svg>',
  );
  return parts.join('');
}

export function writeSummary(r: RolloutReport): string {
  const s = new MarkdownSummary()
    .heading(`Online endpoint ${r.endpoint}: ${r.outcome}`, 3)
    .table(['', ''], [
      ['Model', r.model],
      ['New deployment (green)', `${r.green} (${r.green_action})`],
      ['Previous deployment (blue)', r.blue ?? '(none)'],
      ['Scoring URI', r.scoringUri],
      ...(r.deletedOld ? [['Deleted', r.deletedOld]] : []),
    ])
    .heading('Rollout', 4)
    .table(['Step', 'Green live %', 'Green mirrored %', 'Green p95 ms', 'Blue p95 ms', 'Result', 'Detail'], r.rows.map((row) => [
      row.step, String(row.greenLive), String(row.greenMirror), ms(row.greenP95Ms), ms(row.blueP95Ms), row.result, row.detail,
    ]));
  if (r.rows.length > 0) s.image('Traffic share and p95 per step', 'rollout.svg', rolloutChart(r.rows));
  return s.write(`DeployOnlineEndpoint ${r.endpoint}`);
}
