// PSI per feature over the last runs, kept as a small JSON blob in the workspace's default datastore
// (monitoring/<model>/<stream>/psi-trend.json) so the trend survives agents. One trend per monitored
// stream: two endpoints or deployments serving the same model see different data, and their PSI must not
// mix. Pure: naming, parsing and appending.
import { createHash } from 'node:crypto';
import type { DataRef } from '../dataRef';

export interface TrendRun {
  at: string;
  runId?: string;
  runUrl?: string;
  modelVersion: string;
  window: { from: string; to: string };
  verdict: string;
  /** PSI per judged feature (and the prediction) */
  psi: Record<string, number>;
}

export interface Trend {
  schema: 1;
  model: string;
  /** the monitored stream (trendStream); absent in a trend of the old per-model layout */
  stream?: string;
  runs: TrendRun[];
}

const SAFE = /[^A-Za-z0-9._-]+/g;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * What identifies the monitored stream, from the productionData input, safe as a blob name segment:
 * - collected data, named either way: `<endpoint>-<deployment>` — the data asset `<endpoint>-<deployment>-model_inputs`
 *   (Azure ML's own name for it) or the datastore path `…/modelDataCollector/<endpoint>/<deployment>/<collection>/`;
 * - another data asset: `asset-<name>` (any version: a new version of the same asset is the same stream);
 * - another datastore path or a URL: `path-`/`url-` and a hash of it (trailing slashes ignored).
 */
export function trendStream(production: DataRef): string {
  if (production.kind === 'asset') {
    const collected = /^(.+)-model_(inputs|outputs)$/.exec(production.name);
    return collected ? collected[1].replace(SAFE, '_') : `asset-${production.name.replace(SAFE, '_')}`;
  }
  if (production.kind === 'datastorePath') {
    const path = production.path.replace(/\/+$/, '');
    const collector = /(?:^|\/)modelDataCollector\/([^/]+)\/([^/]+)(?:\/|$)/.exec(path);
    if (collector) return `${collector[1]}-${collector[2]}`.replace(SAFE, '_');
    return `path-${shortHash(`${production.datastore}/${path}`)}`;
  }
  return `url-${shortHash(production.url.href.replace(/\/+$/, ''))}`;
}

export function trendBlobName(model: string, stream: string): string {
  return `monitoring/${model}/${stream}/psi-trend.json`;
}

/** Where a trend was kept before it was kept per stream: by the model alone (read once to carry it on). */
export function oldTrendBlobName(model: string): string {
  return `monitoring/${model}/psi-trend.json`;
}

/** A trend read back; anything not shaped like one (hand-edited, another tool's) starts a new trend. */
export function parseTrend(text: string, model: string, stream: string): { trend: Trend; note?: string } {
  const fresh: Trend = { schema: 1, model, stream, runs: [] };
  let v: unknown;
  try { v = JSON.parse(text); } catch { return { trend: fresh, note: 'the stored trend is not JSON: starting a new one' }; }
  const o = v as Partial<Trend> | null;
  if (!o || o.schema !== 1 || !Array.isArray(o.runs)) return { trend: fresh, note: 'the stored trend has another shape: starting a new one' };
  const runs = o.runs.filter((r): r is TrendRun => !!r && typeof r.at === 'string' && !!r.psi && typeof r.psi === 'object')
    .map((r) => ({ ...r, psi: Object.fromEntries(Object.entries(r.psi).filter(([, x]) => typeof x === 'number' && Number.isFinite(x))) }));
  return { trend: { schema: 1, model, stream, runs } };
}

/** The trend with `run` appended (a run of the same pipeline run replaces its earlier attempt), the last `keep` runs. */
export function appendRun(trend: Trend, run: TrendRun, keep: number): Trend {
  const others = run.runId ? trend.runs.filter((r) => r.runId !== run.runId) : trend.runs;
  const runs = [...others, run].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { ...trend, runs: runs.slice(-keep) };
}
