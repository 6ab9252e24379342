// PSI per feature over the last runs, kept as a small JSON blob in the workspace's default datastore
// (monitoring/<model>/psi-trend.json) so the trend survives agents. Pure: parsing and appending.

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
  runs: TrendRun[];
}

export function trendBlobName(model: string): string {
  return `monitoring/${model}/psi-trend.json`;
}

/** A trend read back; anything not shaped like one (hand-edited, another tool's) starts a new trend. */
export function parseTrend(text: string, model: string): { trend: Trend; note?: string } {
  const fresh: Trend = { schema: 1, model, runs: [] };
  let v: unknown;
  try { v = JSON.parse(text); } catch { return { trend: fresh, note: 'the stored trend is not JSON: starting a new one' }; }
  const o = v as Partial<Trend> | null;
  if (!o || o.schema !== 1 || !Array.isArray(o.runs)) return { trend: fresh, note: 'the stored trend has another shape: starting a new one' };
  const runs = o.runs.filter((r): r is TrendRun => !!r && typeof r.at === 'string' && !!r.psi && typeof r.psi === 'object')
    .map((r) => ({ ...r, psi: Object.fromEntries(Object.entries(r.psi).filter(([, x]) => typeof x === 'number' && Number.isFinite(x))) }));
  return { trend: { schema: 1, model, runs } };
}

/** The trend with `run` appended (a run of the same pipeline run replaces its earlier attempt), the last `keep` runs. */
export function appendRun(trend: Trend, run: TrendRun, keep: number): Trend {
  const others = run.runId ? trend.runs.filter((r) => r.runId !== run.runId) : trend.runs;
  const runs = [...others, run].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { ...trend, runs: runs.slice(-keep) };
}
