// The Azure ML data plane, reached through URLs the workspace gives (mlFlowTrackingUri, discoveryUrl):
// - metrics: MLflow `GET <tracking>/api/2.0/mlflow/runs/get?run_id=<job name>` (an AML job is an MLflow run);
// - a failed job's error and log tail: run history `GET <history>/history/v1.0<workspace id>/runs/<job>/details`,
//   whose `logFiles` map log names to (SAS) URLs.
// Both take the ARM token (the shared mlflow module's dataPlaneGet).
import type { AzureSession } from '../../shared/src/azure';
import { describeAzureError, redact } from '../../shared/src/errors';
import { httpRequest } from '../../shared/src/http';
import { checkDataPlaneHost, dataPlaneGet, Metrics, MlflowError, runMetrics } from '../../shared/src/mlflow';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import * as tl from 'azure-pipelines-task-lib/task';

export type { Metrics };

/** The job's metrics, or a reason why there are none (never throws: metrics are informative). */
export async function fetchMetrics(ctx: AzureSession, ws: WorkspaceInfo, jobName: string): Promise<{ metrics: Metrics; problem?: string }> {
  if (!ws.mlflowTrackingUri) return { metrics: {}, problem: 'the workspace reports no MLflow tracking URI' };
  try {
    const metrics = await runMetrics(ctx, ws, jobName);
    return Object.keys(metrics).length > 0 ? { metrics } : { metrics, problem: 'the job logged no metrics' };
  } catch (err) {
    if (err instanceof MlflowError) {
      if (err.statusCode === 404) return { metrics: {}, problem: 'the job has no MLflow run' };
      return { metrics: {}, problem: `MLflow answered ${err.statusCode}${err.code ? ` ${err.code}` : ''}${err.message ? `: ${redact(err.message)}` : ''}` };
    }
    return { metrics: {}, problem: describeAzureError(err, { action: 'Reading the metrics of', resource: `job '${jobName}'` }) };
  }
}

export interface RunDetails {
  error?: string;
  warnings: string[];
  logTail?: { name: string; lines: string[] };
}

/** Reads `error.error` (code, message, nested details) of run-history details. */
export function errorFromDetails(body: unknown): string | undefined {
  const outer = (body as { error?: { error?: unknown } } | undefined)?.error;
  const e = (outer?.error ?? outer) as { code?: unknown; message?: unknown; details?: { code?: unknown; message?: unknown }[] } | undefined;
  if (!e || (typeof e.message !== 'string' && typeof e.code !== 'string')) return undefined;
  const parts = [typeof e.code === 'string' ? e.code : undefined, typeof e.message === 'string' ? e.message : undefined].filter(Boolean).join(': ');
  const more = (Array.isArray(e.details) ? e.details : []).map((d) => (typeof d?.message === 'string' ? d.message : '')).filter((m) => m && !parts.includes(m));
  return redact([parts, ...more].join(' ').replace(/\s*\r?\n\s*/g, ' ').trim());
}

/** The log to show: the user's std_log first, then any std_log / stdout / 70_driver_log. */
export function pickLog(logFiles: Record<string, string>): string | undefined {
  const names = Object.keys(logFiles);
  const prefer = [/^user_logs\/std_log\.txt$/, /std_log[^/]*\.txt$/, /70_driver_log[^/]*\.txt$/, /stdout/];
  for (const p of prefer) {
    const hit = names.find((n) => p.test(n));
    if (hit) return hit;
  }
  return names[0];
}

/** Run details of a failed job from the run history service, found through the discovery URL (best effort). */
export async function fetchRunDetails(ctx: AzureSession, ws: WorkspaceInfo, jobName: string, tailLines = 40): Promise<RunDetails | undefined> {
  if (!ws.discoveryUrl) return undefined;
  try {
    const disc = await dataPlaneGet(ctx, ws.discoveryUrl, { auth: false });
    const history = (disc.json as { history?: unknown } | undefined)?.history;
    if (disc.status >= 400 || typeof history !== 'string' || !/^https:\/\//i.test(history)) return undefined;
    const url = `${history.replace(/\/+$/, '')}/history/v1.0${ws.id}/runs/${encodeURIComponent(jobName)}/details`;
    // the history host comes from a reply, not from ARM: it gets the token only if it is the workspace's own
    try {
      checkDataPlaneHost(url, ws, 'The discovery reply of the workspace');
    } catch (err) {
      tl.warning(`Run details of ${jobName} not read: ${(err as Error).message}`);
      return undefined;
    }
    const r = await dataPlaneGet(ctx, url, { auth: true });
    if (r.status >= 400) return undefined;
    const body = r.json as { warnings?: { message?: unknown }[]; logFiles?: Record<string, unknown> } | undefined;
    const details: RunDetails = {
      error: errorFromDetails(body),
      warnings: (body?.warnings ?? []).map((w) => (typeof w?.message === 'string' ? redact(w.message) : '')).filter((w) => w.length > 0),
    };
    const logFiles = Object.fromEntries(Object.entries(body?.logFiles ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const logName = pickLog(logFiles);
    if (logName) {
      const logUrl = logFiles[logName];
      // log URLs carry a SAS: mask it before anything could print it
      tl.setSecret(logUrl);
      const q = logUrl.indexOf('?');
      if (q >= 0) tl.setSecret(logUrl.slice(q + 1));
      const log = await httpRequest(ctx.http, { method: 'GET', url: logUrl, timeoutMs: 30_000 });
      if (log.status < 400) {
        const lines = log.body.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
        details.logTail = { name: logName, lines: lines.slice(-tailLines) };
      }
    }
    return details;
  } catch (err) {
    tl.debug(`Run details of ${jobName} not available: ${describeAzureError(err)}`);
    return undefined;
  }
}
