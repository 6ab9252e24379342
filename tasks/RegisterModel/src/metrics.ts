// The candidate's metrics: from a JSON file (name → number) or from the job's MLflow run (shared mlflow module).
import { azureCall, TaskError } from '../../shared/src/errors';
import { Metrics, runMetrics } from '../../shared/src/mlflow';
import type { WorkspaceScope } from '../../shared/src/workspace';

export type { Metrics };

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

/** The job's MLflow metrics; a failure becomes one line with the Azure error explained. */
export async function jobMetrics(scope: WorkspaceScope<never>, jobName: string): Promise<Metrics> {
  const { ctx, ws } = scope;
  if (!ws.mlflowTrackingUri) throw new TaskError(`Workspace '${ws.name}' reports no MLflow tracking URI: cannot read the metrics of job '${jobName}'. Hint: give the metrics in metricsFile.`);
  return azureCall('Reading the MLflow metrics of', `job '${jobName}'`, () => runMetrics(ctx, ws, jobName));
}
