// After the job started: wait for it (unless waitForCompletion is false), cancel it with the pipeline or at the
// timeout, read its metrics (and a failed job's error and log tail), set the outputs and the summary, and say
// how the run ends.
import * as tl from 'azure-pipelines-task-lib/task';
import { cancellationSignal, failed, onCancel, type Outcome, succeeded, TimeoutError, untrusted } from '../../shared/src/task';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { TrainAzureCalls } from './azureCalls';
import type { StartedJob } from './execute';
import { publishOutputs } from './outputs';
import type { TrainPlan } from './prepare';
import { printFailure, printMetrics, summaryMarkdown, type SummaryData } from './report';

export async function followJob(scope: WorkspaceScope, plan: TrainPlan, job: StartedJob, az: TrainAzureCalls): Promise<Outcome> {
  const p = plan.inputs;
  const { name: jobName, studioUrl } = job;
  let status = job.status;
  console.log(tl.loc('StudioLink', studioUrl));
  const modelOutputUri = `azureml://jobs/${jobName}/outputs/${p.modelOutputName}`;
  const outputs = { jobName, studioUrl, modelOutputUri };
  if (!p.waitForCompletion) {
    job.releaseCancelHook?.();
    console.log(tl.loc('NotWaiting', jobName, status));
    publishOutputs({ ...outputs, jobStatus: status, metrics: {} });
    return succeeded();
  }

  // the hook registered before the submission hands over to this one in the same tick (no cancel can fall between)
  job.releaseCancelHook?.();
  const unregister = onCancel(async () => {
    if (p.cancelJobOnPipelineCancel) await az.cancelJob(scope, jobName);
    else console.log(`cancelJobOnPipelineCancel is false: job '${jobName}' keeps running. ${studioUrl}`);
  }, `cancel Azure ML job '${jobName}'`);
  try {
    status = await az.waitForJob({ scope, jobName, studioUrl, timeoutMs: p.timeoutMinutes * 60_000, pollIntervalMs: p.pollIntervalSeconds * 1000, abortSignal: cancellationSignal() });
  } catch (err) {
    if (err instanceof TimeoutError) {
      unregister();
      publishOutputs({ ...outputs, jobStatus: err.lastState ?? status, metrics: {} });
      if (p.cancelJobOnPipelineCancel) {
        console.log(`Cancelling job '${jobName}' at the timeout.`);
        await az.cancelJob(scope, jobName).catch((e: unknown) => console.log(e instanceof Error ? e.message : String(e)));
      }
    }
    throw err;
  }
  unregister();

  const { metrics, problem } = await az.fetchMetrics(scope, jobName);
  if (Object.keys(metrics).length > 0) printMetrics(metrics);
  else console.log(tl.loc('NoMetrics', jobName, untrusted(problem ?? 'none')));
  const summary: SummaryData = {
    jobName, status, studioUrl, experimentName: p.experimentName, compute: plan.compute.name, environment: job.environment.reference,
    code: job.code, reattached: plan.job.action === 'attach', metrics, modelOutputUri,
  };
  publishOutputs({ ...outputs, jobStatus: status, metrics });
  if (status !== 'Completed') {
    const details = await az.fetchRunDetails(scope, jobName);
    await printFailure(details);
    const why = details?.error ? `Error: ${details.error}.` : 'Azure ML reported no error details.';
    summaryMarkdown({ ...summary, error: details?.error ?? status }).write(`Azure ML job ${jobName}`);
    return failed(tl.loc('JobFailed', jobName, status, why, studioUrl));
  }
  summaryMarkdown(summary).write(`Azure ML job ${jobName}`);
  return succeeded();
}
