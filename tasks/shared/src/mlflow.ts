// The Azure ML data plane reached through the workspace's own URLs: an AML job is an MLflow run, so its
// metrics come from `GET <mlflowTrackingUri>/api/2.0/mlflow/runs/get?run_id=<job>`. The ARM token is
// accepted there. TrainModel prints these metrics; RegisterModel gates on them.
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureSession } from './azureSession';
import { MlflowError, TaskError } from './errors';
import { httpRequest } from './http';
import { untrusted } from './untrusted';

export { MlflowError } from './errors';
import type { WorkspaceInfo } from './workspace';

export type Metrics = Record<string, number>;

interface MlflowMetric {
  key?: unknown;
  value?: unknown;
  timestamp?: unknown;
  step?: unknown;
}

/** MLflow keeps a history per metric: the run's value is the latest (highest step, then newest timestamp). */
export function latestMetrics(list: readonly MlflowMetric[] | undefined): Metrics {
  const best = new Map<string, { value: number; step: number; timestamp: number }>();
  for (const m of list ?? []) {
    if (typeof m.key !== 'string' || !m.key) continue;
    const value = typeof m.value === 'string' ? Number(m.value) : m.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const step = Number(m.step ?? 0) || 0;
    const timestamp = Number(m.timestamp ?? 0) || 0;
    const prev = best.get(m.key);
    if (!prev || step > prev.step || (step === prev.step && timestamp >= prev.timestamp)) best.set(m.key, { value, step, timestamp });
  }
  return Object.fromEntries([...best.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.value]));
}

/** Latest value per metric from an MLflow `runs/get` reply. */
export function metricsFromRun(body: unknown): Metrics {
  return latestMetrics((body as { run?: { data?: { metrics?: MlflowMetric[] } } } | undefined)?.run?.data?.metrics);
}

export function runsGetUrl(ws: Pick<WorkspaceInfo, 'mlflowTrackingUri'>, runId: string): string {
  return `${ws.mlflowTrackingUri.replace(/\/+$/, '')}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`;
}

/**
 * The ARM token goes only to the workspace's own Azure ML data-plane hosts: those the workspace resource names
 * in ARM (its discoveryUrl and mlFlowTrackingUri), over https. A host named in a data-plane REPLY (the discovery
 * document's `history`, ...) is checked against them before it gets a token; anything else is one TaskError
 * naming the host.
 */
export function checkDataPlaneHost(url: string, ws: Pick<WorkspaceInfo, 'mlflowTrackingUri' | 'discoveryUrl'>, what: string): void {
  const hostOf = (u: string | undefined): string | undefined => {
    try {
      return u ? new URL(u.replace(/^azureml:/i, 'https:')).host.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  };
  const allowed = [hostOf(ws.discoveryUrl), hostOf(ws.mlflowTrackingUri)].filter((h): h is string => !!h);
  let target: URL | undefined;
  try {
    target = new URL(url);
  } catch {
    target = undefined;
  }
  if (!target || target.protocol !== 'https:' || !allowed.includes(target.host.toLowerCase())) {
    throw new TaskError(
      `${what} names the host '${untrusted(target ? `${target.protocol}//${target.host}` : url.split('?')[0])}', which is not an Azure ML data-plane host of this workspace (${allowed.join(', ') || 'none known'}): refusing to send it the Azure token.`,
    );
  }
}

/** A data-plane reply the caller judges by status; `json` is undefined when the body is not JSON. */
export interface DataPlaneReply {
  status: number;
  json: unknown;
  text: string;
}

/** GET on the AML data plane, with the ARM token when `auth` (masked before anything could print it). */
export async function dataPlaneGet(ctx: Pick<AzureSession, 'credential' | 'cloud' | 'http'>, url: string, o: { auth: boolean; timeoutMs?: number } = { auth: true }): Promise<DataPlaneReply> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (o.auth) {
    const token = await ctx.credential.getToken(ctx.cloud.armScope);
    if (!token?.token) throw new TaskError(`The credential returned no token for the Azure ML data plane (scope ${ctx.cloud.armScope}).`);
    tl.setSecret(token.token);
    headers.Authorization = `Bearer ${token.token}`;
  }
  const raw = await httpRequest(ctx.http, { method: 'GET', url, headers, timeoutMs: o.timeoutMs ?? 30_000 });
  const text = raw.body.toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: raw.status, json, text };
}

/** The run's metrics; throws MlflowError on an error reply. */
export async function runMetrics(ctx: Pick<AzureSession, 'credential' | 'cloud' | 'http'>, ws: Pick<WorkspaceInfo, 'mlflowTrackingUri'>, runId: string): Promise<Metrics> {
  const r = await dataPlaneGet(ctx, runsGetUrl(ws, runId), { auth: true });
  if (r.status >= 400) {
    const b = (r.json ?? {}) as { error_code?: string; message?: string; error?: { code?: string; message?: string } };
    throw new MlflowError(r.status, b.error_code ?? b.error?.code, b.message ?? b.error?.message ?? r.text.slice(0, 200));
  }
  return metricsFromRun(r.json);
}
