// The Azure ML data plane, reached through URLs the workspace gives (mlFlowTrackingUri, discoveryUrl):
// - metrics: MLflow `GET <tracking>/api/2.0/mlflow/runs/get?run_id=<job name>` (an AML job is an MLflow run);
// - a failed job's error: run history `GET <api>/history/v1.0<workspace id>/runs/<job>/details` (`api` = the
//   discovery document's key); its log tail: the job's `default` output in the artifact store (`user_logs/`),
//   else the older runs' `logFiles` (SAS URLs) of the details.
// Both take the ARM token (the shared mlflow module's dataPlaneGet).
import type { AzureSession, ContextWith } from '../../shared/src/azure';
import { azureCall, describeAzureError, redact } from '../../shared/src/errors';
import { httpRequest } from '../../shared/src/http';
import { dataPlaneGet, Metrics, MlflowError, runMetrics } from '../../shared/src/mlflow';
import { namedDatastoreContainer, parseDatastoreUri, type WorkspaceInfo, type WorkspaceScope } from '../../shared/src/workspace';
import * as tl from 'azure-pipelines-task-lib/task';

export type { Metrics };

/** The job's metrics, or a reason why there are none (never throws: metrics are informative). */
export async function fetchMetrics(scope: WorkspaceScope<never>, jobName: string): Promise<{ metrics: Metrics; problem?: string }> {
  const { ctx, ws } = scope;
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

/** Run details of a failed job: the error from run history, the log tail from the job's logs (best effort). */
export async function fetchRunDetails(scope: WorkspaceScope<'ml'>, jobName: string, tailLines = 40): Promise<RunDetails | undefined> {
  const { ctx, ws } = scope;
  if (!ws.discoveryUrl) return undefined;
  try {
    const api = await runHistoryHost(ctx, ws);
    if (!api) return undefined;
    const url = `${api.replace(/\/+$/, '')}/history/v1.0${ws.id}/runs/${encodeURIComponent(jobName)}/details`;
    const r = await dataPlaneGet(ctx, url, { auth: true });
    if (r.status >= 400) return undefined;
    const body = r.json as { warnings?: { message?: unknown }[]; logFiles?: Record<string, unknown> } | undefined;
    const details: RunDetails = {
      error: errorFromDetails(body),
      warnings: (body?.warnings ?? []).map((w) => (typeof w?.message === 'string' ? redact(w.message) : '')).filter((w) => w.length > 0),
    };
    const logFiles = Object.fromEntries(Object.entries(body?.logFiles ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const tail = await logTailFromDefaultOutput(ctx, ws, jobName, tailLines).catch((err: unknown) => {
      tl.debug(`Logs of ${jobName} in its default output not available: ${describeAzureError(err)}`);
      return undefined;
    });
    details.logTail = tail ?? (await logTailFromUrls(ctx, logFiles, tailLines));
    return details;
  } catch (err) {
    tl.debug(`Run details of ${jobName} not available: ${describeAzureError(err)}`);
    return undefined;
  }
}

/**
 * The run history host: the discovery document's `api` key, as azure-ai-ml takes it
 * (operations/_job_operations.py JobOperations._api_url → _get_workspace_url(url_key=API_URL_KEY), API_URL_KEY = "api").
 * The document's `history` key names an older host that is not where run history answers.
 */
async function runHistoryHost(ctx: AzureSession, ws: WorkspaceInfo): Promise<string | undefined> {
  const disc = await dataPlaneGet(ctx, ws.discoveryUrl as string, { auth: false });
  const api = (disc.json as { api?: unknown } | undefined)?.api;
  return disc.status < 400 && typeof api === 'string' && /^https:\/\//i.test(api) ? api : undefined;
}

function tailOf(text: string, tailLines: number): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').slice(-tailLines);
}

/**
 * The job's logs where Azure keeps them: its reserved `default` output (the artifact store folder
 * `ExperimentRun/dcid.<job>`), files under `user_logs/` (and the legacy `azureml-logs/`), read with the
 * datastore's credentials — azure-ai-ml operations/_job_ops_helper.py stream_logs_until_completion →
 * _artifacts/_artifact_utilities.py list_logs_in_datastore. Undefined when the job reports no such output.
 */
export async function logTailFromDefaultOutput(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, jobName: string, tailLines: number): Promise<RunDetails['logTail']> {
  const job = await azureCall('Reading', `job '${jobName}'`, () => ctx.clients.ml.jobs.get(ws.resourceGroup, ws.name, jobName));
  const out = (job.properties as { outputs?: Record<string, { jobOutputType?: string; uri?: string } | null> }).outputs?.default;
  const loc = out?.jobOutputType === 'uri_folder' && out.uri ? parseDatastoreUri(out.uri) : undefined;
  if (!loc) return undefined;
  const container = await namedDatastoreContainer(ctx, ws, loc.datastore);
  const names: string[] = [];
  for (const folder of ['user_logs/', 'azureml-logs/']) {
    for await (const b of container.listBlobsFlat({ prefix: `${loc.path}/${folder}` })) names.push(b.name.slice(loc.path.length + 1));
  }
  const logName = pickLog(Object.fromEntries(names.map((n) => [n, n])));
  if (!logName) return undefined;
  const text = (await container.getBlobClient(`${loc.path}/${logName}`).downloadToBuffer()).toString('utf8');
  return { name: logName, lines: tailOf(text, tailLines) };
}

/** Older runs list their logs in the run details' `logFiles` (name → SAS URL). */
async function logTailFromUrls(ctx: AzureSession, logFiles: Record<string, string>, tailLines: number): Promise<RunDetails['logTail']> {
  const logName = pickLog(logFiles);
  if (!logName) return undefined;
  const logUrl = logFiles[logName];
  // log URLs carry a SAS: mask it before anything could print it
  tl.setSecret(logUrl);
  const q = logUrl.indexOf('?');
  if (q >= 0) tl.setSecret(logUrl.slice(q + 1));
  const log = await httpRequest(ctx.http, { method: 'GET', url: logUrl, timeoutMs: 30_000 });
  return log.status < 400 ? { name: logName, lines: tailOf(log.body.toString('utf8'), tailLines) } : undefined;
}
