// The candidate's metrics: from a JSON file (name → number) or from the job's MLflow run on the
// workspace's tracking endpoint. The shared library has no MLflow reader yet, so the small `runs/get`
// call lives here.
import type { AzureContext } from '../../shared/src/azure';
import { describeAzureError, TaskError } from '../../shared/src/errors';
import { httpRequest } from '../../shared/src/http';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import * as tl from 'azure-pipelines-task-lib/task';

export type Metrics = Record<string, number>;

/** Parses a metrics file's text. Returns the metrics, or a problem text (the caller names the input). */
export function parseMetricsJson(text: string): { metrics?: Metrics; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { problem: `is not valid JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problem: `holds ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}, not an object` };
  }
  const metrics: Metrics = {};
  const bad: string[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
    else bad.push(`'${name}' (${JSON.stringify(value)?.slice(0, 40) ?? String(value)})`);
  }
  if (bad.length) return { problem: `has non-numeric values for ${bad.join(', ')}` };
  if (Object.keys(metrics).length === 0) return { problem: 'has no metrics' };
  return { metrics };
}

interface MlflowMetric {
  key?: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}

/** MLflow keeps a history per metric: the latest (highest step, then newest timestamp) is the run's value. */
export function latestMlflowMetrics(list: MlflowMetric[] | undefined): Metrics {
  const best = new Map<string, { value: number; step: number; timestamp: number }>();
  for (const m of list ?? []) {
    if (!m.key) continue;
    const value = typeof m.value === 'string' ? Number(m.value) : m.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const step = Number(m.step ?? 0) || 0;
    const timestamp = Number(m.timestamp ?? 0) || 0;
    const prev = best.get(m.key);
    if (!prev || step > prev.step || (step === prev.step && timestamp >= prev.timestamp)) best.set(m.key, { value, step, timestamp });
  }
  const out: Metrics = {};
  for (const [k, v] of best) out[k] = v.value;
  return out;
}

/** GET <tracking>/api/2.0/mlflow/runs/get?run_id=<job> with an ARM token (AML's MLflow accepts it). */
export async function jobMetrics(ctx: AzureContext, ws: WorkspaceInfo, jobName: string): Promise<Metrics> {
  if (!ws.mlflowTrackingUri) throw new TaskError(`Workspace '${ws.name}' reports no MLflow tracking URI: cannot read the metrics of job '${jobName}'. Hint: give the metrics in metricsFile.`);
  const url = `${ws.mlflowTrackingUri.replace(/\/+$/, '')}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(jobName)}`;
  const token = await ctx.credential.getToken(ctx.cloud.armScope);
  if (!token) throw new TaskError(`No token for the workspace's MLflow endpoint (scope ${ctx.cloud.armScope}).`);
  tl.setSecret(token.token);
  const res = await httpRequest(ctx.http, { method: 'GET', url, headers: { Authorization: `Bearer ${token.token}`, Accept: 'application/json' } });
  const text = res.body.toString('utf8');
  let body: { run?: { data?: { metrics?: MlflowMetric[] } }; error_code?: string; message?: string; error?: { code?: string; message?: string } } = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: reported below by status */
  }
  if (res.status >= 400) {
    const code = body.error_code ?? body.error?.code;
    const message = body.message ?? body.error?.message ?? text.slice(0, 200);
    const err = Object.assign(new Error(message), { statusCode: res.status, code });
    throw new TaskError(describeAzureError(err, { action: 'Reading the MLflow metrics of', resource: `job '${jobName}'` }));
  }
  return latestMlflowMetrics(body.run?.data?.metrics);
}
