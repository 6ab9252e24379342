// The child jobs of a sweep (its trials) or a pipeline (its steps), from run history, as the official
// client lists them (azure-ai-ml 1.4 `jobs.list(parent_job_name=…)` → `GET <history>/history/v1.0<workspace
// id>/runs/<parent>/children`, a PaginatedRunList: value, continuationToken, nextLink), and the progress line
// the task prints from them. Child names, display names, errors and parameters come from Azure: they are
// untrusted text and go through `neutralise` before they reach the log.
import type { AzureSession } from '../../shared/src/azure';
import { redact } from '../../shared/src/errors';
import { dataPlaneGet } from '../../shared/src/mlflow';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import { runHistoryHost } from './dataplane';
import { formatMetricValue } from './report';

export interface ChildRun {
  name: string;
  /** The step name of a pipeline child; the trial's display name for a sweep. */
  displayName: string;
  status: string;
  /** Search-space values of a sweep trial (run property or tag `hyperparameters`, a JSON object). */
  parameters?: Record<string, unknown>;
}

const MAX_PAGES = 20;

/** One line of remote text that cannot become an agent command (`##vso[`, `##[`), without secrets or control characters. */
export function neutralise(text: string, max = 300): string {
  const one = redact(String(text)).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/##/g, '# #').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function parametersOf(run: { properties?: Record<string, unknown>; tags?: Record<string, unknown> }): Record<string, unknown> | undefined {
  const raw = run.properties?.hyperparameters ?? run.tags?.hyperparameters;
  if (typeof raw !== 'string') return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The run-history base URL of the workspace (its discovery document's `api` host, dataplane.ts runHistoryHost), or undefined. */
export async function runHistoryBase(ctx: AzureSession, ws: WorkspaceInfo): Promise<string | undefined> {
  if (!ws.discoveryUrl) return undefined;
  const api = await runHistoryHost(ctx, ws);
  return api ? `${api.replace(/\/+$/, '')}/history/v1.0${ws.id}` : undefined;
}

/** Every child of a job (following nextLink); undefined when run history cannot be read. */
export async function listChildren(ctx: AzureSession, base: string, parent: string): Promise<ChildRun[] | undefined> {
  const out: ChildRun[] = [];
  let url: string | undefined = `${base}/runs/${encodeURIComponent(parent)}/children`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const r = await dataPlaneGet(ctx, url, { auth: true });
    if (r.status >= 400) return undefined;
    const body = r.json as { value?: { runId?: unknown; displayName?: unknown; status?: unknown; properties?: Record<string, unknown>; tags?: Record<string, unknown> }[]; nextLink?: unknown } | undefined;
    for (const run of body?.value ?? []) {
      if (typeof run?.runId !== 'string') continue;
      const parameters = parametersOf(run);
      out.push({ name: run.runId, displayName: typeof run.displayName === 'string' ? run.displayName : run.runId, status: typeof run.status === 'string' ? run.status : 'Unknown', ...(parameters ? { parameters } : {}) });
    }
    // a nextLink must stay on the run-history host: it carries our token
    url = typeof body?.nextLink === 'string' && body.nextLink.startsWith(base.slice(0, base.indexOf('/history/'))) ? body.nextLink : undefined;
  }
  return out;
}

const DONE = ['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused'];
const RUNNING = ['Running', 'Finalizing', 'Starting', 'Provisioning', 'Preparing', 'Queued'];

export interface BestSoFar { trial: string; metric: string; value?: number }

/** `Trials: 3 done (1 failed), 2 running; best so far: accuracy 0.93 (trial x)`. */
export function sweepProgress(children: ChildRun[], best?: BestSoFar): string {
  const done = children.filter((c) => DONE.includes(c.status));
  const failed = done.filter((c) => c.status !== 'Completed').length;
  const running = children.filter((c) => RUNNING.includes(c.status)).length;
  const bestText = best ? `; best so far: ${neutralise(best.metric, 80)}${best.value === undefined ? '' : ` ${formatMetricValue(best.value)}`} (trial ${neutralise(best.trial, 120)})` : '';
  return `Trials: ${done.length} done${failed ? ` (${failed} not completed)` : ''}, ${running} running${bestText}`;
}

/** `Steps: prep Completed, train Running, evaluate NotStarted`. */
export function pipelineProgress(children: ChildRun[]): string {
  return `Steps: ${children.length === 0 ? 'none started yet' : children.map((c) => `${neutralise(c.displayName, 80)} ${neutralise(c.status, 30)}`).join(', ')}`;
}

/** Children that ended without completing (a failed step or trial). */
export function unsuccessful(children: ChildRun[]): ChildRun[] {
  return children.filter((c) => DONE.includes(c.status) && c.status !== 'Completed');
}
