// TrainModel from a job file (`jobFile`: a CLI v2 command, sweep or pipeline job YAML; `jobOverrides`).
// Loaded by main with `await import()` only when jobFile is set, so the YAML parser and the job-file
// modules cost a run without a job file nothing at start-up.
//
// Order (as the inline path): inputs → workspace → the whole file read, overridden, validated and
// resolved into a plan (reads only: `@latest`, code hashes) → the job name (re-attach to this pipeline
// run's job) → writes (code versions, anonymous environments and components, then the job with lineage
// tags) → wait with progress (trials of a sweep, steps of a pipeline) → outputs that chain into
// RegisterModel (tasks/TrainModel/README.md "From a job file").
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import type { JobBase } from '@azure/arm-machinelearning';
import { cancellationSignal, failed, InputError, lineageTags, onCancel, type Outcome, succeeded, TimeoutError } from '../../shared/src/task';
import { setOutput } from '../../shared/src/outputs';
import { cancelHookDuringSubmission } from './execute';
import { defaultJobBaseName, notReusedLine } from './job';
import { applyJobFilePlan, planJobFile, type JobFilePlan } from './jobfile';
import { jobFileAzure } from './jobFileAzure';
import { userIdentityHeaders } from './jobFileIdentity';
import { readJobFileInputs, type JobFileInputs } from './jobFileInputs';
import { listChildren, neutralise, pipelineProgress, runHistoryBase, sweepProgress, unsuccessful, type ChildRun } from './jobChildren';
import { modelOutputOf, modelOutputProblem, sweepResult, type SweepResult } from './jobFileOutputs';
import type { TrainDeps } from './main';
import type { TrainAzureCalls } from './azureCalls';
import type { WorkspaceScope } from '../../shared/src/workspace';
import { publishOutputs } from './outputs';
import { printFailure, printMetrics } from './report';
import { jobFileSummary } from './jobFileReport';

/**
 * The job-file module builds the body azure-ai-ml 1.4 builds (`_to_rest_object` of its
 * `_restclient.v2022_10_01_preview` models: `services.*.nodes`, lower-case `samplingAlgorithm.rule`), so it is
 * PUT at the api-version that body is written for, as the official client does.
 */
export const JOB_FILE_API_VERSION = '2022-10-01-preview';

export async function runJobFile(deps: TrainDeps): Promise<Outcome> {
  const az = deps.azure;
  const p = readJobFileInputs();
  const ctx = deps.createAzureContext();
  const scope = await az.openWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const { ws } = scope;
  const assetTags = lineageTags();
  const azure = jobFileAzure(scope, { tags: assetTags });

  // reads only: the whole file is validated and every reference resolved before the first write
  const plan = await planJobFile({ jobFile: p.jobFile, overrides: p.jobOverrides, repositoryRoot: p.repositoryRoot, experimentName: p.experimentName, reader: azure.reader });
  const relFile = path.relative(p.repositoryRoot, p.jobFile).split(path.sep).join('/');
  console.log(`Job file ${relFile}: a ${plan.type} job${plan.type === 'pipeline' ? ` of ${stepCount(plan)} steps` : ''}, checked and resolved (${plan.codes.length} code folders, ${plan.environments.length} inline environments, ${plan.components.length} components to register).`);
  for (const n of plan.notes) console.log(neutralise(n));
  const outputProblem = modelOutputProblem({ type: plan.type, body: plan.body, modelOutputName: p.modelOutputName });
  if (outputProblem) throw new InputError('modelOutputName', outputProblem);
  const experimentName = String(plan.body.properties.experimentName ?? p.experimentName ?? '');
  const attempt = Number(tl.getVariable('System.JobAttempt') ?? '1') || 1;
  const explicitName = p.jobName ?? plan.name;
  const jobPlan = await az.findPlan(scope, { base: explicitName ?? defaultJobBaseName(experimentName), attempt, explicit: explicitName !== undefined });

  const jobName = jobPlan.name;
  const studioUrl = ws.studioJobUrl(jobName);
  let status: string;
  let releaseCancelHook: (() => void) | undefined;
  if (jobPlan.action === 'attach') {
    status = jobPlan.status;
    console.log(tl.loc('JobReattached', jobName, status));
  } else {
    const passedOver = notReusedLine(jobPlan);
    if (passedOver) console.log(passedOver);
    if (jobPlan.previous) console.log(`The job of an earlier attempt, '${jobPlan.previous.name}', ended ${jobPlan.previous.status}: submitting '${jobName}' for attempt ${attempt}.`);
    // a user_identity job carries the submitter's Azure ML token (jobFileIdentity.ts); taken before the first write
    const headers = await userIdentityHeaders(ctx, plan.body);
    const body = await applyJobFilePlan(plan, azure.writer);
    const props = body.properties;
    props.tags = { ...((props.tags ?? {}) as Record<string, string>), ...Object.fromEntries(p.tags), ...lineageTags({ 'aml.jobFile': relFile }) };
    // a file without display_name: the job's name, as azure-ai-ml 1.4 sends it (the corpus comparison, tests/jobfile/submitted.test.ts)
    props.displayName ??= jobName;
    const hook = cancelHookDuringSubmission(scope, jobName, p, az);
    try {
      const put = headers
        ? az.submitJob(scope, jobName, body as unknown as JobBase, JOB_FILE_API_VERSION, headers)
        : az.submitJob(scope, jobName, body as unknown as JobBase, JOB_FILE_API_VERSION);
      hook.submitting(put);
      status = await put;
    } catch (err) {
      hook.release();
      throw err;
    }
    releaseCancelHook = hook.release;
    console.log(`Submitted ${plan.type} job '${jobName}'.`);
  }
  console.log(tl.loc('StudioLink', studioUrl));
  const ownOutput = `azureml://jobs/${jobName}/outputs/${p.modelOutputName}`;
  if (!p.waitForCompletion) {
    releaseCancelHook?.();
    console.log(tl.loc('NotWaiting', jobName, status));
    publishOutputs({ jobName, studioUrl, modelOutputUri: ownOutput, jobStatus: status, metrics: {} });
    return succeeded();
  }

  releaseCancelHook?.(); // the submission's hook hands over to this one in the same tick
  const unregister = onCancel(async () => {
    if (p.cancelJobOnPipelineCancel) await az.cancelJob(scope, jobName);
    else console.log(`cancelJobOnPipelineCancel is false: job '${jobName}' keeps running. ${studioUrl}`);
  }, `cancel Azure ML job '${jobName}'`);
  const progress = await childProgress({ scope, az, type: plan.type, jobName });
  try {
    status = await az.waitForJob({
      scope, jobName, studioUrl, timeoutMs: p.timeoutMinutes * 60_000, pollIntervalMs: p.pollIntervalSeconds * 1000,
      abortSignal: cancellationSignal(), onPoll: progress.onPoll,
    });
  } catch (err) {
    if (err instanceof TimeoutError) {
      unregister();
      publishOutputs({ jobName, studioUrl, modelOutputUri: ownOutput, jobStatus: err.lastState ?? status, metrics: {} });
      if (p.cancelJobOnPipelineCancel) {
        console.log(`Cancelling job '${jobName}' at the timeout.`);
        await az.cancelJob(scope, jobName).catch((e: unknown) => console.log(e instanceof Error ? e.message : String(e)));
      }
    }
    throw err;
  }
  unregister();
  const children = await progress.final();

  // outputs: a sweep names its best trial, a pipeline's model may be a step's output
  let sweep: SweepResult | undefined;
  let modelJob = jobName;
  let modelUri = ownOutput;
  if (plan.type === 'sweep' && status === 'Completed') {
    sweep = await sweepResult({ scope, az, jobName, body: plan.body, children });
    if (sweep) {
      modelJob = sweep.trial;
      modelUri = `azureml://jobs/${sweep.trial}/outputs/${p.modelOutputName}`;
      console.log(`Best trial: ${neutralise(sweep.trial)} with ${neutralise(sweep.primaryMetric)} = ${sweep.value ?? 'not logged'}; parameters ${neutralise(JSON.stringify(sweep.parameters))}.`);
    } else console.log(`Sweep job '${jobName}' named no best trial: the outputs describe the sweep job itself.`);
  } else if (plan.type === 'pipeline') {
    const m = modelOutputOf({ body: plan.body, jobName, modelOutputName: p.modelOutputName, children, completed: status === 'Completed' });
    if (m.problem) return failed(`Input 'modelOutputName': ${m.problem}.`);
    modelJob = m.jobName;
    modelUri = m.uri;
  }

  const { metrics, problem } = sweep?.metrics ? { metrics: sweep.metrics, problem: undefined } : await az.fetchMetrics(scope, modelJob);
  if (Object.keys(metrics).length > 0) printMetrics(metrics);
  else console.log(tl.loc('NoMetrics', modelJob, problem ?? 'none'));
  publishOutputs({ jobName: modelJob, studioUrl, modelOutputUri: modelUri, jobStatus: status, metrics });
  if (sweep) {
    setOutput('bestTrialJobName', sweep.trial);
    setOutput('bestTrialMetric', sweep.value === undefined ? '' : String(sweep.value));
    setOutput('bestTrialParameters', JSON.stringify(sweep.parameters));
  }
  const summary = { type: plan.type, file: relFile, jobName, status, studioUrl, experimentName, reattached: jobPlan.action === 'attach', modelJob, modelUri, metrics, children, sweep };
  if (status !== 'Completed') {
    const details = await az.fetchRunDetails(scope, jobName);
    await printFailure(details);
    const why = details?.error ? `Error: ${details.error}.` : 'Azure ML reported no error details.';
    jobFileSummary({ ...summary, error: details?.error ?? status }).write(`Azure ML job ${jobName}`);
    return failed(tl.loc('JobFailed', jobName, status, why, studioUrl));
  }
  jobFileSummary(summary).write(`Azure ML job ${jobName}`);
  return succeeded();
}

function stepCount(plan: JobFilePlan): number {
  return Object.keys((plan.body.properties.jobs ?? {}) as Record<string, unknown>).length;
}

interface Progress {
  onPoll?: (job: JobBase) => Promise<void>;
  /** The children at the end (and each failed one named with its error). */
  final(): Promise<ChildRun[]>;
}

/**
 * Progress of a sweep's trials or a pipeline's steps, printed when it changes; best effort (run history
 * may be unreachable: the job's own state is still followed). A command job has none.
 */
async function childProgress(o: { scope: WorkspaceScope<'ml' | 'arm'>; az: TrainAzureCalls; type: JobFilePlan['type']; jobName: string }): Promise<Progress> {
  const { type, jobName } = o;
  const { ctx, ws } = o.scope;
  if (type === 'command') return { final: async () => [] };
  let base: string | undefined;
  try {
    base = await runHistoryBase(ctx, ws);
  } catch (err) {
    tl.debug(`run history not reachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!base) return { final: async () => [] };
  let last = '';
  let children: ChildRun[] = [];
  const named = new Set<string>();
  const read = async (job?: JobBase): Promise<void> => {
    try {
      children = (await listChildren(ctx, base as string, jobName)) ?? children;
    } catch (err) {
      tl.debug(`children of ${jobName} not readable: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const bag = (job?.properties.properties ?? {}) as Record<string, string>;
    const best = bag.best_child_run_id ? { trial: bag.best_child_run_id, metric: primaryMetricOf(job), value: bag.score !== undefined && bag.score !== '' && Number.isFinite(Number(bag.score)) ? Number(bag.score) : undefined } : undefined;
    const line = type === 'sweep' ? sweepProgress(children, best) : pipelineProgress(children);
    if (line !== last) console.log(line);
    last = line;
    for (const c of unsuccessful(children)) {
      if (named.has(c.name)) continue;
      named.add(c.name);
      const details = (await o.az.fetchRunDetails(o.scope, c.name, 0).catch(() => undefined))?.error;
      const what = type === 'sweep' ? 'Trial' : 'Step';
      console.log(`${what} '${neutralise(c.displayName, 80)}' (job ${neutralise(c.name, 120)}) ended ${neutralise(c.status, 30)}${details ? `: ${neutralise(details)}` : ''}`);
    }
  };
  return { onPoll: read, final: async () => { await read(); return children; } };
}

function primaryMetricOf(job?: JobBase): string {
  const objective = (job?.properties as { objective?: { primaryMetric?: string } } | undefined)?.objective;
  return objective?.primaryMetric ?? 'primary metric';
}

export type { JobFileInputs };
