// The latency distribution as an SVG picture, written by hand (no libraries): log-scale buckets
// between the fastest and the slowest request, one bar per bucket, p50/p95/p99 markers, axes with
// labels. Log scale because latency is skewed: a linear axis squeezes the body into one bar.
import { LatencyStats } from '../../shared/src/scoring';

export interface Bucket {
  fromMs: number;
  toMs: number;
  count: number;
}

/** Log-spaced buckets from min to max (a degenerate range is widened by 10% each side). */
export function logBuckets(samplesMs: readonly number[], count = 30): Bucket[] {
  const positive = samplesMs.filter((v) => Number.isFinite(v));
  if (positive.length === 0) return [];
  let lo = Math.max(Math.min(...positive), 0.001);
  let hi = Math.max(Math.max(...positive), lo);
  if (hi / lo < 1.2) {
    lo /= 1.1;
    hi *= 1.1;
  }
  const l0 = Math.log10(lo);
  const step = (Math.log10(hi) - l0) / count;
  const buckets = Array.from({ length: count }, (_, i) => ({ fromMs: 10 ** (l0 + i * step), toMs: 10 ** (l0 + (i + 1) * step), count: 0 }));
  for (const v of positive) {
    const i = Math.floor((Math.log10(Math.max(v, 0.001)) - l0) / step);
    buckets[Math.min(Math.max(i, 0), count - 1)].count++;
  }
  return buckets;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "0.5 ms", "12 ms", "1.5 s". */
export function formatTick(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(2))} s`;
  return `${Number(ms.toPrecision(ms < 1 ? 1 : 2))} ms`;
}

function niceTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(1)));
    }
  }
  return out;
}

export function latencyHistogramSvg(samplesMs: readonly number[], stats: LatencyStats, o: { title?: string; buckets?: number } = {}): string {
  const W = 720;
  const H = 340;
  const m = { l: 64, r: 24, t: 48, b: 56 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const title = o.title ?? `Latency of ${samplesMs.length} requests`;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`;
  const parts: string[] = [head, `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`, `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`];
  const buckets = logBuckets(samplesMs, o.buckets ?? 30);
  if (buckets.length === 0) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no samples</text>`, '</svg>');
    return parts.join('\n') + '\n';
  }
  const lo = buckets[0].fromMs;
  const hi = buckets[buckets.length - 1].toMs;
  const llo = Math.log10(lo);
  const lspan = Math.log10(hi) - llo;
  const x = (v: number): number => m.l + ((Math.log10(Math.min(Math.max(v, lo), hi)) - llo) / lspan) * pw;
  const maxCount = Math.max(...buckets.map((b) => b.count));
  const y = (c: number): number => m.t + ph - (c / maxCount) * ph;
  const f = (n: number): string => n.toFixed(1);

  // bars
  for (const b of buckets) {
    if (b.count === 0) continue;
    const x0 = x(b.fromMs) + 0.5;
    const w = Math.max(x(b.toMs) - x(b.fromMs) - 1, 1);
    parts.push(`<rect class="bar" x="${f(x0)}" y="${f(y(b.count))}" width="${f(w)}" height="${f(m.t + ph - y(b.count))}" fill="#4f7fbf"><title>${esc(`${formatTick(b.fromMs)} - ${formatTick(b.toMs)}: ${b.count}`)}</title></rect>`);
  }
  // axes
  parts.push(`<line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}" stroke="#333"/>`, `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" stroke="#333"/>`);
  let ticks = niceTicks(lo, hi);
  if (ticks.length < 2) ticks = [lo, hi];
  for (const t of ticks) {
    const tx = f(x(t));
    parts.push(`<line x1="${tx}" y1="${m.t + ph}" x2="${tx}" y2="${m.t + ph + 5}" stroke="#333"/>`, `<text class="xtick" x="${tx}" y="${m.t + ph + 18}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  for (const c of [0, Math.round(maxCount / 2), maxCount].filter((v, i, a) => a.indexOf(v) === i)) {
    const ty = f(y(c));
    parts.push(`<line x1="${m.l - 5}" y1="${ty}" x2="${m.l}" y2="${ty}" stroke="#333"/>`, `<text class="ytick" x="${m.l - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${c}</text>`);
  }
  parts.push(
    `<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle">latency (ms, log scale)</text>`,
    `<text x="16" y="${m.t + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.t + ph / 2})">requests</text>`,
  );
  // percentile markers, labels staggered so close markers stay readable
  const markers: [string, number, string][] = [
    ['p50', stats.p50, '#2e7d32'],
    ['p95', stats.p95, '#ef6c00'],
    ['p99', stats.p99, '#c62828'],
  ];
  markers.forEach(([name, v, color], i) => {
    if (!Number.isFinite(v)) return;
    const mx = f(x(v));
    const anchor = x(v) > m.l + pw * 0.8 ? 'end' : 'start';
    const dx = anchor === 'end' ? -4 : 4;
    parts.push(
      `<line class="marker" data-name="${name}" x1="${mx}" y1="${m.t - 4}" x2="${mx}" y2="${m.t + ph}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${f(x(v) + dx)}" y="${m.t + 8 + i * 14}" text-anchor="${anchor}" fill="${color}">${esc(`${name} ${v.toFixed(2)} ms`)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
