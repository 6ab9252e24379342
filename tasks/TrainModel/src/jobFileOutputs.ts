// Outputs of a job-file run that chain into RegisterModel (which takes `jobName` + `jobOutputName`):
// - a sweep: its best trial. Azure names it in the sweep job's `properties.best_child_run_id` (azure-ai-ml
//   1.4 constants `SWEEP_JOB_BEST_CHILD_RUN_ID_PROPERTY_NAME`; `jobs.download` of a sweep downloads that
//   child); its metrics are the trial's MLflow run, its parameters the trial's `hyperparameters`.
//   jobName / metrics / modelOutputUri then describe the best trial (SPEC: RegisterModel takes it unchanged).
// - a pipeline: `modelOutputName` is a pipeline output or `<step>.<output>`, the output of the step's own child job
//   (then jobName is that child job). A pipeline output bound to a step's output names that step's job and output
//   once the pipeline completed; an unbound one, or one of a pipeline that did not complete, `azureml://jobs/<pipeline>/outputs/<name>`.
import { azureCall } from '../../shared/src/errors';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { TrainAzureCalls } from './azureCalls';
import type { ChildRun } from './jobChildren';
import type { Metrics } from './dataplane';

export interface SweepResult {
  trial: string;
  primaryMetric: string;
  value?: number;
  parameters: Record<string, unknown>;
  metrics: Metrics;
}

type Body = { properties: Record<string, unknown> };

export async function sweepResult(o: { scope: WorkspaceScope<'ml' | 'arm'>; az: TrainAzureCalls; jobName: string; body: Body; children: ChildRun[] }): Promise<SweepResult | undefined> {
  const { ws } = o.scope;
  const job = await azureCall('Reading', `sweep job '${o.jobName}'`, () => o.scope.clients.ml.jobs.get(ws.resourceGroup, ws.name, o.jobName));
  const trial = job.properties.properties?.best_child_run_id;
  if (!trial) return undefined;
  const primaryMetric = String((o.body.properties.objective as { primaryMetric?: unknown } | undefined)?.primaryMetric ?? '');
  const { metrics } = await o.az.fetchMetrics(o.scope, trial);
  const value = typeof metrics[primaryMetric] === 'number' ? metrics[primaryMetric] : undefined;
  const parameters = o.children.find((c) => c.name === trial)?.parameters ?? {};
  return { trial, primaryMetric, ...(value === undefined ? {} : { value }), parameters, metrics };
}

function keysOf(v: unknown): string[] {
  return v && typeof v === 'object' ? Object.keys(v) : [];
}

/**
 * Checks `modelOutputName` against the job before anything is written; the problem, or undefined. The
 * default `model` is let through for a pipeline without that output (its model may be registered otherwise).
 */
export function modelOutputProblem(o: { type: 'command' | 'sweep' | 'pipeline'; body: Body; modelOutputName: string }): string | undefined {
  const name = o.modelOutputName;
  const dot = name.indexOf('.');
  if (o.type !== 'pipeline') return dot >= 0 ? `'${name}' names a step output, but the job file is a ${o.type} job: name one of its outputs` : undefined;
  const outputs = keysOf(o.body.properties.outputs);
  const jobs = o.body.properties.jobs as Record<string, { outputs?: unknown }> | undefined;
  if (dot < 0) {
    if (outputs.includes(name) || name === 'model') return undefined;
    return `the pipeline has no output '${name}' (its outputs: ${outputs.join(', ') || 'none'}): name a pipeline output or '<step>.<output>'`;
  }
  const step = name.slice(0, dot);
  if (!jobs || !(step in jobs)) return `'${name}' names step '${step}', which the pipeline does not have (its steps: ${keysOf(jobs).join(', ') || 'none'})`;
  return undefined;
}

const PARENT_OUTPUT = /^\$\{\{\s*parent\.outputs\.([^.}\s]+)\s*\}\}$/;

/** The step output a pipeline output is bound to (`jobs.<step>.outputs.<o>: ${{parent.outputs.<name>}}`), if one is. */
export function stepBinding(body: Body, pipelineOutput: string): { step: string; output: string } | undefined {
  const jobs = (body.properties.jobs ?? {}) as Record<string, { outputs?: Record<string, unknown> }>;
  for (const [step, node] of Object.entries(jobs)) {
    for (const [output, v] of Object.entries(node?.outputs ?? {})) {
      const value = typeof v === 'string' ? v : (v as { value?: unknown } | null)?.value;
      if (typeof value === 'string' && PARENT_OUTPUT.exec(value.trim())?.[1] === pipelineOutput) return { step, output };
    }
  }
  return undefined;
}

/**
 * The job and URI of the model output after the pipeline ran. A pipeline output is data one step wrote (Azure
 * promotes the step's output to the pipeline, as the emulator does: test/emulator/services/aml-jobs.ts); after a
 * completed pipeline it is named by that step's own job and output, as `<step>.<output>` would be, so RegisterModel
 * reads the job that holds the files.
 */
export function modelOutputOf(o: { body: Body; jobName: string; modelOutputName: string; children: ChildRun[]; completed?: boolean }): { jobName: string; uri: string; problem?: string } {
  const dot = o.modelOutputName.indexOf('.');
  if (dot < 0) {
    const bound = o.completed ? stepBinding(o.body, o.modelOutputName) : undefined;
    const child = bound && o.children.find((c) => c.displayName === bound.step);
    if (bound && child) return { jobName: child.name, uri: `azureml://jobs/${child.name}/outputs/${bound.output}` };
    return { jobName: o.jobName, uri: `azureml://jobs/${o.jobName}/outputs/${o.modelOutputName}` };
  }
  const step = o.modelOutputName.slice(0, dot);
  const output = o.modelOutputName.slice(dot + 1);
  const child = o.children.find((c) => c.displayName === step);
  if (!child) return { jobName: o.jobName, uri: `azureml://jobs/${o.jobName}/outputs/${output}`, problem: `step '${step}' of pipeline job '${o.jobName}' has no child job in run history, so its output '${output}' cannot be named` };
  return { jobName: child.name, uri: `azureml://jobs/${child.name}/outputs/${output}` };
}
