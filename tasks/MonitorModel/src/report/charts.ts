// The summary's pictures as SVG written by hand: a drifted feature's reference vs production shares per
// bin (grouped bars), and PSI per feature over the last runs (one line per feature, the threshold dashed).
import type { FeatureResult } from '../judge/featureDrift';
import type { TrendRun } from './trend';

const W = 640;
const H = 260;
const M = { left: 48, right: 16, top: 28, bottom: 64 };
const REF = '#5b8def';
const PROD = '#e8743b';
const PALETTE = ['#e8743b', '#5b8def', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf399e', '#6c8893', '#ee6868', '#2f6497'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const svg = (body: string[]): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">\n${body.join('\n')}\n</svg>\n`;

/** Reference vs production share per bin of one feature. */
export function histogramSvg(f: FeatureResult): string {
  const bins = f.bins ?? [];
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const top = Math.max(0.01, ...bins.map((b) => Math.max(b.referenceShare, b.productionShare)));
  const slot = bins.length ? plotW / bins.length : plotW;
  const bar = Math.max(1, slot * 0.38);
  const y = (share: number): number => M.top + plotH - (share / top) * plotH;
  const out: string[] = [
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">${esc(f.name)}: PSI ${(f.psi ?? 0).toFixed(3)}${f.ks ? `, KS ${f.ks.statistic.toFixed(3)} (p ${f.ks.pValue.toExponential(1)})` : ''}</text>`,
    `<rect x="${W - 190}" y="6" width="10" height="10" fill="${REF}"/><text x="${W - 176}" y="15">reference</text>`,
    `<rect x="${W - 110}" y="6" width="10" height="10" fill="${PROD}"/><text x="${W - 96}" y="15">production</text>`,
    `<line x1="${M.left}" y1="${M.top + plotH}" x2="${W - M.right}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#333"/>`,
  ];
  for (const t of [0, 0.5, 1]) out.push(`<text x="${M.left - 4}" y="${y(top * t) + 4}" text-anchor="end">${(top * t * 100).toFixed(0)}%</text>`);
  bins.forEach((b, i) => {
    const x0 = M.left + i * slot + slot * 0.1;
    out.push(`<rect x="${x0.toFixed(1)}" y="${y(b.referenceShare).toFixed(1)}" width="${bar.toFixed(1)}" height="${(M.top + plotH - y(b.referenceShare)).toFixed(1)}" fill="${REF}"><title>reference ${(b.referenceShare * 100).toFixed(1)}%</title></rect>`);
    out.push(`<rect x="${(x0 + bar).toFixed(1)}" y="${y(b.productionShare).toFixed(1)}" width="${bar.toFixed(1)}" height="${(M.top + plotH - y(b.productionShare)).toFixed(1)}" fill="${PROD}"><title>production ${(b.productionShare * 100).toFixed(1)}%</title></rect>`);
    const lx = M.left + (i + 0.5) * slot;
    out.push(`<text x="${lx.toFixed(1)}" y="${M.top + plotH + 12}" text-anchor="end" transform="rotate(-35 ${lx.toFixed(1)} ${M.top + plotH + 12})">${esc(b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label)}</text>`);
  });
  return svg(out);
}

/** PSI per feature over the runs, oldest left; the threshold as a dashed line. */
export function trendSvg(runs: readonly TrendRun[], threshold: number, features: readonly string[]): string {
  const plotW = W - M.left - M.right - 120;
  const plotH = H - M.top - M.bottom + 30;
  const values = runs.flatMap((r) => features.map((f) => r.psi[f]).filter((x): x is number => x !== undefined));
  const top = Math.max(threshold * 1.25, ...values);
  const x = (i: number): number => M.left + (runs.length > 1 ? (i / (runs.length - 1)) * plotW : plotW / 2);
  const y = (v: number): number => M.top + plotH - (Math.min(v, top) / top) * plotH;
  const out: string[] = [
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">PSI over the last ${runs.length} run(s)</text>`,
    `<line x1="${M.left}" y1="${M.top + plotH}" x2="${M.left + plotW}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${y(threshold).toFixed(1)}" x2="${M.left + plotW}" y2="${y(threshold).toFixed(1)}" stroke="#c00" stroke-dasharray="4 3"/>`,
    `<text x="${M.left + plotW + 4}" y="${y(threshold) + 4}" fill="#c00">${threshold}</text>`,
  ];
  for (const t of [0, 0.5, 1]) out.push(`<text x="${M.left - 4}" y="${y(top * t) + 4}" text-anchor="end">${(top * t).toFixed(2)}</text>`);
  if (runs.length) {
    out.push(`<text x="${M.left}" y="${M.top + plotH + 14}">${esc(runs[0].at.slice(0, 16))}</text>`);
    if (runs.length > 1) out.push(`<text x="${M.left + plotW}" y="${M.top + plotH + 14}" text-anchor="end">${esc(runs[runs.length - 1].at.slice(0, 16))}</text>`);
  }
  features.slice(0, PALETTE.length).forEach((f, k) => {
    const colour = PALETTE[k];
    const pts = runs.map((r, i) => (r.psi[f] === undefined ? undefined : `${x(i).toFixed(1)},${y(r.psi[f]).toFixed(1)}`)).filter((p): p is string => !!p);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) { const [px, py] = p.split(','); out.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${colour}"/>`); }
    out.push(`<rect x="${W - 128}" y="${M.top + k * 16}" width="10" height="10" fill="${colour}"/><text x="${W - 114}" y="${M.top + k * 16 + 9}">${esc(f.length > 18 ? `${f.slice(0, 17)}…` : f)}</text>`);
  });
  return svg(out);
}
